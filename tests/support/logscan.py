"""The test run's log scan: no personal number the tests sent may reach a log (issue 19).

A pytest plugin (``pytest_plugins`` in ``tests/conftest.py``), so it runs with every pytest
run, ``make unit`` and ``make test`` included:

* at the start it hooks a handler onto the root logger that keeps every record at INFO and
  above (the levels the services run at in production: Rasa's INFO, the gateway's WARNING),
  with its traceback, from the tests' own process (the in-process gateway, the actions, the
  FAQ desk), and notes how long the spawned services' log files already are;
* at the end, after every fixture has stopped its servers, it reads those records and what
  the services wrote since (every ``*.log`` under ``artifacts/`` and under this run's
  temporary directory: the running assistant, the production profile's processes, the
  action server's tests), and looks in them for every personal number the tests send;
* a number found fails the run (exit status 1) and the summary says which, and where.

The numbers the tests send are the ID-card, phone and bank-card numbers and the e-mail
addresses that :func:`bot.privacy.masking.find_pii` finds in the tests' sources and data
(``tests/**``), written in many formats, which is the point. They are compared in a canonical
form (:func:`~bot.privacy.masking.canonical_pii`), so ``138.0013.8000`` written in a test is
found as ``13800138000`` in a log, and the other way round. Secrets that a run makes (the Rasa
token of each start, the staff's test password) are added with :func:`watch`.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.paths import ROOT
from bot.privacy.masking import BANK_CARD, EMAIL, ID_CARD, LANDLINE, MOBILE, canonical_pii, find_pii

PERSONAL = frozenset({ID_CARD, MOBILE, LANDLINE, BANK_CARD, EMAIL})
"""The labels of :func:`find_pii` that are personal numbers (names are left to the masking
tests: a two-character name would also match ordinary words)."""
SOURCES = ROOT / "tests"
SOURCE_SUFFIXES = frozenset({".py", ".yml", ".yaml", ".json", ".md", ".txt"})
LOG_DIRS = (ROOT / "artifacts",)
"""Where the services the tests start write their logs (``Stack(log_dir=…)``)."""
_MAYBE = re.compile(r"[0-9０-９零〇一二三四五六七八九@＠]")
"""A line without any of these holds no personal number: skip the detector."""


def personal_numbers(lines: Iterable[str]) -> set[str]:
    """The canonical forms of the personal numbers and addresses in ``lines``."""
    found = set()
    for line in lines:
        if _MAYBE.search(line):
            found |= {canonical_pii(line[s:e]) for s, e, kind in find_pii(line) if kind in PERSONAL}
    return found


def sent_by_the_tests(root: Path = SOURCES) -> set[str]:
    """Every personal number written in the tests' sources and data (canonical forms)."""
    found: set[str] = set()
    for path in sorted(root.rglob("*")):
        if path.suffix in SOURCE_SUFFIXES and path.is_file():
            found |= personal_numbers(path.read_text(encoding="utf-8").splitlines())
    return found


@dataclass(frozen=True)
class Leak:
    """A watched value found in a log: which (shortened) and where."""

    value: str
    where: str

    def __str__(self) -> str:
        shown = self.value if len(self.value) < 8 else f"{self.value[:3]}…{self.value[-2:]}"
        return f"{shown} in {self.where}"


def find_leaks(
    lines: Iterable[tuple[str, str]], numbers: set[str], secrets: Iterable[str] = ()
) -> Iterator[Leak]:
    """The watched values in ``(where, line)`` pairs: personal numbers in any format, secrets
    as they are."""
    secrets = [s for s in secrets if s]
    for where, line in lines:
        for secret in secrets:
            if secret in line:
                yield Leak(secret, where)
        if _MAYBE.search(line):
            for start, end, kind in find_pii(line):
                value = canonical_pii(line[start:end])
                if kind in PERSONAL and value in numbers:
                    yield Leak(value, where)


HARNESS_LOGGERS = frozenset({"httpx", "aiohttp.access"})
"""The tests' own side of a request: the test client's request lines (httpx) and the loopback
stand-ins' access lines (aiohttp, tests/support/loopback.py). They log the URLs the tests send
(the WeChat protocol's official sample echostr is a 19-digit number); the assistant's own
processes never use these loggers — its gateway is uvicorn, Rasa is Sanic."""


class _Keep(logging.Handler):
    """Keeps every record's text, traceback included (not the test harness's own)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name in HARNESS_LOGGERS:
            return
        try:
            text = record.getMessage()
        except Exception:  # a broken format string is still a record to scan
            text = f"{record.msg!r} {record.args!r}"
        if record.exc_info and record.exc_info[1] is not None:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        where = f"log record {record.name}:{record.levelname}"
        self.lines += [(where, line) for line in text.splitlines()]


@dataclass
class LogScan:
    """One test run's scan: the records kept, the log files' lengths at the start."""

    temp_dir: Path | None = None
    logger: str = ""
    """The logger whose records are kept (default: the root, i.e. every logger)."""
    suffix: str = ".log"
    handler: _Keep = field(default_factory=_Keep)
    offsets: dict[Path, int] = field(default_factory=dict)
    secrets: set[str] = field(default_factory=set)
    _root_level: int = logging.WARNING

    def log_files(self) -> list[Path]:
        """Every ``*.log`` the services of this run may have written."""
        dirs = [*LOG_DIRS, *([self.temp_dir] if self.temp_dir else [])]
        found = {p for d in dirs if d.is_dir() for p in d.rglob(f"*{self.suffix}")}
        return sorted(p for p in found if p.is_file())

    def start(self) -> None:
        """Keep records from now on; note how far each log file already goes."""
        self.offsets = {path: path.stat().st_size for path in self.log_files()}
        root = logging.getLogger(self.logger)
        self._root_level = root.level
        root.setLevel(min(root.level, logging.INFO) if root.level else logging.INFO)
        root.addHandler(self.handler)

    def stop(self) -> None:
        """Stop keeping records."""
        root = logging.getLogger(self.logger)
        root.removeHandler(self.handler)
        root.setLevel(self._root_level)

    def written(self) -> Iterator[tuple[str, str]]:
        """The lines logged during the run: records, then what each log file gained."""
        yield from self.handler.lines
        for path in self.log_files():
            with path.open("rb") as log:
                log.seek(self.offsets.get(path, 0))
                text = log.read().decode("utf-8", errors="replace")
            name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            for number, line in enumerate(text.splitlines(), 1):
                yield f"{name} (+{number})", line

    def leaks(self, numbers: set[str]) -> list[Leak]:
        """The watched values found in what the run logged."""
        return list(find_leaks(self.written(), numbers, self.secrets))


_SCAN = LogScan()


def watch(secret: str) -> None:
    """Add a secret the run made (a token, a password) to what must not reach a log."""
    _SCAN.secrets.add(secret)


def pytest_configure(config: pytest.Config) -> None:
    """Start keeping records before the first test (and its fixtures)."""
    from tests.support.faq import PASSWORD

    watch(PASSWORD)
    _SCAN.start()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Scan what the run logged; a leak fails the run."""
    _SCAN.stop()
    if session.config.option.collectonly:
        return
    factory = getattr(session.config, "_tmp_path_factory", None)  # tmp_path's, if it ran
    if factory is not None and factory._basetemp is not None:
        _SCAN.temp_dir = factory.getbasetemp()
    numbers = sent_by_the_tests()
    leaks = _SCAN.leaks(numbers)
    files = len(_SCAN.log_files())
    session.config.stash[_RESULT] = (len(numbers), files, len(_SCAN.handler.lines), leaks)
    if leaks and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_RESULT = pytest.StashKey[tuple[int, int, int, list[Leak]]]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say what was scanned and, if any, what leaked where."""
    result = terminalreporter.config.stash.get(_RESULT, None)
    if result is None:
        return
    numbers, files, records, leaks = result
    what = f"{numbers} personal numbers of the tests, {len(_SCAN.secrets)} secrets"
    where = f"{records} logged lines of this process and {files} service log files"
    if not leaks:
        terminalreporter.write_line(f"log scan: {what}; none in {where}")
        return
    terminalreporter.section("log scan: personal data or secrets in the logs", red=True)
    for leak in sorted(set(leaks), key=str)[:50]:
        terminalreporter.write_line(f"LEAK {leak}", red=True)
    terminalreporter.write_line(f"{len(leaks)} found in {where} ({what})", red=True)
