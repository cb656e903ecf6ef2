"""Run the whole assistant on one machine: train if needed, then the servers, until Ctrl-C.

Processes (the profile, :mod:`bot.stack.profile`, says where state is kept: embedded defaults keep
conversations in a SQLite file; ``HUKOU_PROFILE=production`` uses PostgreSQL, Redis and RabbitMQ):

* the action server (``rasa_sdk``) on ``--action-port`` (default 5055), only with
  ``HUKOU_ACTIONS=server`` (the embedded default); otherwise the actions run in the workers;
* one Rasa server per worker with the REST channel, from ``--rasa-port`` on (default 5005),
  started through :mod:`bot.rasa_ext.server` (Rasa's own CLI with the action-response validation
  made cheap);
* the web gateway (FastAPI: widget, staff page, API) on ``--web-port`` (default 8000);
* in the production profile, the turn-log consumer (``turns``, :mod:`bot.stack.turn_consumer`):
  Rasa's event queue into the turn log the desk's dashboard reads. It listens on no port.

**Every process listens on this machine's loopback only** (127.0.0.1; a reverse proxy in
front of the gateway serves other machines): the action server too, which ``rasa_sdk`` would
bind to every interface. The Rasa workers' HTTP API also needs the token (``--auth-token``)
that the profile gives (``HUKOU_RASA_TOKEN``) or :meth:`Stack.start` makes, new for each
start; the gateway gets the same token, and the action server refuses calls that do not bring
it (Rasa sends it, :mod:`bot.rasa_ext.action_server`). Rasa's REST webhook takes no token:
loopback is what protects it.

**A process that dies is restarted, the others go on** (:class:`Supervisor`): a crashed Rasa
worker comes back after 1 s, then 2, 4 … up to 30 s between tries, while the gateway keeps
serving the pages, the FAQ, the hotline lookup and the search, and ``/healthz`` names what is
down. Before, one exit stopped everything, so a Rasa crash took /faq, /staff and /admin with it.

It prints where to talk to the assistant once everything answers, and stops all of it
cleanly on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.paths import BOT_DIR, MODEL, ROOT
from bot.stack.profile import Profile, ProfileError
from bot.stack.training import model_is_stale, train_command

LOOPBACK = "127.0.0.1"


def wait_until_up(
    url: str, timeout: float, what: str, proc: subprocess.Popen[bytes], token: str = ""
) -> None:
    """Poll ``url`` until it answers 200; fail early if ``proc`` exits.

    ``token`` is sent as ``?token=`` (Rasa's HTTP API) but never shown in an error message.
    """
    target = f"{url}?token={token}" if token else url
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} while starting")
        try:
            with urllib.request.urlopen(target, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{what} did not answer at {url} within {timeout:.0f} s")


@dataclass
class Stack:
    """The running processes, stopped together."""

    rasa_port: int = 5005
    action_port: int = 5055
    web_port: int | None = None
    model: Path = MODEL
    log_dir: Path | None = None
    database_url: str | None = None
    """The FAQ desk's database for the action server and gateway (default: the profile's,
    i.e. ``DATABASE_URL``, else the SQLite file ``var/hukou.sqlite3``)."""
    profile: Profile = field(default_factory=Profile)
    """Where conversations are kept and how many Rasa workers run (:mod:`bot.stack.profile`)."""
    procs: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    rasa_token: str = field(default="", repr=False)
    """The Rasa workers' HTTP API token while running: the profile's ``HUKOU_RASA_TOKEN``, else
    a random one made by :meth:`start` (tests call the Rasa API with it)."""
    _endpoints: Path | None = None

    def command(self, name: str) -> list[str]:
        """The command line of process ``name`` (``actions``, ``rasa``, ``rasa-1``, ``web``, …)."""
        if name == "turns":
            return [sys.executable, "-m", "bot.stack.turn_consumer"]
        if name == "actions":
            # rasa_sdk's server, with the token from the endpoints file and failures
            # reported without the conversation (bot.rasa_ext.action_server).
            return [sys.executable, "-m", "bot.rasa_ext.action_server", "--actions", "actions",
                    "--port", str(self.action_port),
                    "--endpoints", str(self._endpoints)]  # fmt: skip
        if name == "web":
            assert self.web_port is not None
            # --no-proxy-headers: uvicorn would otherwise take the client's address from
            # X-Forwarded-For for any connection from 127.0.0.1, before the gateway's own
            # rule (HUKOU_TRUSTED_PROXIES, bot.web.ratelimit.client_address) sees it.
            # bot.web.serve is uvicorn's command line without TensorFlow (its docstring says why).
            return [sys.executable, "-m", "bot.web.serve", "bot.web.app:create_app", "--factory",
                    "--host", LOOPBACK, "--port", str(self.web_port), "--log-level", "warning",
                    "--ws", "none", "--no-proxy-headers"]  # fmt: skip
        return [sys.executable, "-m", "bot.rasa_ext.server", "run", "--model", str(self.model),
                "--endpoints", str(self._endpoints),
                "--credentials", str(BOT_DIR / "credentials.yml"),
                "--port", str(self.rasa_ports[self._worker_number(name)]), "--enable-api",
                "--interface", LOOPBACK]  # fmt: skip

    def _environment(self, name: str) -> dict[str, str]:
        if name == "actions":
            # rasa_sdk takes its address only from SANIC_HOST (default 0.0.0.0, no auth).
            return {"SANIC_HOST": LOOPBACK}
        if name == "web":
            return {
                "HUKOU_RASA_URLS": ",".join(f"http://{LOOPBACK}:{p}" for p in self.rasa_ports),
                "HUKOU_RASA_TOKEN": self.rasa_token,
                # One worker: while it restarts, lookups fall back to the fact rules, which
                # then load at once instead of during the outage (bot.web.routes.lookup).
                "HUKOU_PRELOAD_RULES": "true" if self.profile.workers == 1 else "false",
                # Empty: the actions run inside the workers, there is no server to watch.
                "HUKOU_ACTION_URL": ""
                if self.profile.actions_in_process
                else f"http://{LOOPBACK}:{self.action_port}",
            }
        if name == "turns":
            # The stack's profile, which need not be the one in this process's environment.
            assert self.profile.amqp_url
            return {
                "HUKOU_PROFILE": self.profile.name,
                "HUKOU_AMQP_URL": self.profile.amqp_url,
                "HUKOU_EVENT_QUEUE": self.profile.event_queue,
                "HUKOU_TURN_RETENTION_DAYS": str(self.profile.turn_retention_days),
            }
        return {"TICKET_LOCK_LIFETIME": self.profile.lock_lifetime}

    def spawn(self, name: str) -> subprocess.Popen[bytes]:
        """Start process ``name`` (again); does not wait for it to answer."""
        log = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            log = (self.log_dir / f"{name}.log").open("ab")
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **self._environment(name)}
        if self.faq_url:
            env["DATABASE_URL"] = self.faq_url
        proc = subprocess.Popen(
            self.command(name),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT if log else None,
            env=env,
        )
        if log is not None:
            log.close()  # the child has its own copy of the descriptor
        # A restarted process replaces the dead one: ``procs`` stays one entry per name.
        self.procs = [(n, p) for n, p in self.procs if n != name or p.poll() is None]
        self.procs.append((name, proc))
        return proc

    @property
    def rasa_ports(self) -> list[int]:
        """The Rasa workers' ports: ``rasa_port`` and the next ones, one per worker."""
        return [self.rasa_port + i for i in range(self.profile.workers)]

    @property
    def faq_url(self) -> str | None:
        """The FAQ database: ``database_url``, else the profile's."""
        return self.database_url or self.profile.faq_url

    @property
    def names(self) -> list[str]:
        """The processes this stack runs, in start order."""
        names = [] if self.profile.actions_in_process else ["actions"]
        names += [self._worker_name(worker) for worker in range(self.profile.workers)]
        names += [] if self.web_port is None else ["web"]
        return names + (["turns"] if self.profile.name == "production" else [])

    def start(self, timeout: float = 300.0) -> None:
        """Start the action server, the Rasa workers and (with ``web_port``) the gateway.

        The FAQ desk's database is brought to the latest schema first, once, so that the
        processes never race to migrate it. Returns when every process answers.
        """
        from bot.faq.db import prepare_database

        prepare_database(self.faq_url)
        self.rasa_token = self.profile.rasa_token or secrets.token_urlsafe(32)
        self._endpoints = self.profile.write_endpoints(
            f"http://{LOOPBACK}:{self.action_port}/webhook", self.rasa_token
        )
        for name in self.names:
            self.spawn(name)
        for name in self.names:
            self.wait_for(name, timeout)

    def wait_for(self, name: str, timeout: float = 300.0) -> None:
        """Wait until process ``name`` answers on its health route."""
        if name == "actions":
            url, what = f"http://{LOOPBACK}:{self.action_port}/health", "action server"
        elif name == "web":
            url, what = f"http://{LOOPBACK}:{self.web_port}/healthz", "web gateway"
        elif name == "turns":
            # No port to ask: it is up unless it exited (a bad setting, RabbitMQ away).
            time.sleep(0.5)
            if self.process(name).poll() is not None:
                raise RuntimeError(
                    f"turn-log consumer exited with code {self.process(name).returncode}"
                )
            return
        else:
            self.wait_for_worker(self._worker_number(name), timeout)
            return
        wait_until_up(url, timeout, what, self.process(name))

    def _worker_name(self, worker: int) -> str:
        return "rasa" if worker == 0 else f"rasa-{worker}"

    def _worker_number(self, name: str) -> int:
        return 0 if name == "rasa" else int(name.removeprefix("rasa-"))

    def start_worker(self, worker: int) -> None:
        """Start Rasa worker ``worker`` (0-based) on its port; does not wait for it.

        A conversation lock left by a worker that died mid-turn expires after the profile's
        ``TICKET_LOCK_LIFETIME`` seconds (:attr:`~bot.stack.profile.Profile.lock_lifetime`).
        """
        self.spawn(self._worker_name(worker))

    def wait_for_worker(self, worker: int, timeout: float = 300.0) -> None:
        """Wait until Rasa worker ``worker`` answers on ``/status`` (which needs the token)."""
        proc = self.process(self._worker_name(worker))
        url = f"http://{LOOPBACK}:{self.rasa_ports[worker]}/status"
        wait_until_up(url, timeout, f"Rasa worker {worker}", proc, self.rasa_token)

    def process(self, name: str) -> subprocess.Popen[bytes]:
        """The latest process named ``name`` (``actions``, ``rasa``, ``rasa-1``, ``web``)."""
        return next(proc for n, proc in reversed(self.procs) if n == name)

    def kill_worker(self, worker: int) -> None:
        """Kill Rasa worker ``worker`` at once (SIGKILL), as a crash would."""
        proc = self.process(self._worker_name(worker))
        proc.kill()
        proc.wait(timeout=10)

    def stop(self) -> None:
        """Terminate every process (SIGTERM, then SIGKILL after 10 s)."""
        for _, proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for _, proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs.clear()
        if self._endpoints is not None:
            self._endpoints.unlink(missing_ok=True)
            self._endpoints = None


@dataclass(frozen=True)
class Backoff:
    """How long to wait before restarting a process that died.

    ``first`` seconds after the first crash, doubling with each crash in a row up to
    ``longest``; a process that ran ``stable`` seconds before dying starts again from
    ``first``. Restarting at once, every time, would spin a process that cannot start
    (a broken model, a port taken) at full speed on a shared machine.
    """

    first: float = 1.0
    longest: float = 30.0
    stable: float = 60.0

    def delay(self, crashes: int) -> float:
        """The wait before the restart after ``crashes`` crashes in a row (1, 2, …)."""
        return float(min(self.longest, self.first * 2 ** max(0, crashes - 1)))


class Supervisor:
    """Restarts the processes of a running :class:`Stack` that exit, one at a time.

    Only the dead process is started again; the others, the gateway above all, keep serving.
    :meth:`check` is one round; :func:`serve` calls it twice a second.
    """

    def __init__(
        self,
        stack: Stack,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
        report: Callable[[str], None] = lambda line: print(line, flush=True),
    ) -> None:
        """Watch ``stack``'s processes from now on.

        Args:
            stack: A started stack.
            backoff: The delays between restarts (default :class:`Backoff`).
            clock: Seconds, monotonic (tests pass their own).
            report: Where to say what died and what is restarted (one Chinese line each).
        """
        self.stack = stack
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.report = report
        now = clock()
        self._started = {name: now for name in stack.names}
        self._crashes: dict[str, int] = {}
        self._due: dict[str, float] = {}
        self.restarts: dict[str, int] = {}
        """How often each process was restarted (for tests and the log)."""

    def check(self) -> None:
        """Note the processes that died and restart those whose wait is over."""
        now = self.clock()
        for name in self.stack.names:
            proc = self.stack.process(name)
            if proc.poll() is None:
                continue
            if name not in self._due:
                ran = now - self._started.get(name, now)
                crashes = 1 if ran >= self.backoff.stable else self._crashes.get(name, 0) + 1
                self._crashes[name] = crashes
                wait = self.backoff.delay(crashes)
                self._due[name] = now + wait
                self.report(
                    f"{name} 意外退出（代码 {proc.returncode}），{wait:.0f} 秒后重新启动；"
                    "其他服务照常运行。"
                )
            elif now >= self._due[name]:
                del self._due[name]
                self.stack.spawn(name)
                self._started[name] = now
                self.restarts[name] = self.restarts.get(name, 0) + 1
                self.report(f"正在重新启动 {name}（第 {self.restarts[name]} 次）。")


def serve(rasa_port: int, action_port: int, web_port: int = 8000, train: bool = True) -> int:
    """Train if needed, start everything, print the address and supervise until Ctrl-C."""
    if train and model_is_stale():
        print("正在训练模型（首次约需 3–5 分钟）…", flush=True)
        subprocess.run(train_command(), cwd=ROOT, check=True)
    elif not MODEL.exists():
        print(f"没有模型：{MODEL}（去掉 --no-train 以训练）", file=sys.stderr)
        return 2
    try:
        profile = Profile.from_env()
    except ProfileError as exc:
        print(f"配置错误：{exc}", file=sys.stderr)
        return 2
    stack = Stack(rasa_port=rasa_port, action_port=action_port, web_port=web_port, profile=profile)
    stopping = False

    def _stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print("正在启动动作服务器和 Rasa 服务器（加载模型约需 1 分钟）…", flush=True)
    try:
        stack.start()
        print(
            f"醴陵户籍政策助手已启动：市民对话 http://127.0.0.1:{web_port}/ ，"
            f"热线查询 http://127.0.0.1:{web_port}/staff ，"
            f"政策解读工作台 http://127.0.0.1:{web_port}/admin ，"
            f"政策解读 http://127.0.0.1:{web_port}/faq ，接口文档 http://127.0.0.1:{web_port}/docs"
            f"（{profile.name} 配置，Rasa 工作进程 {profile.workers} 个，"
            f"端口 {rasa_port} 起；动作服务器 :{action_port}）。按 Ctrl-C 停止。",
            flush=True,
        )
        supervisor = Supervisor(stack)
        while not stopping:
            supervisor.check()
            time.sleep(0.5)
    except RuntimeError as exc:
        print(f"启动失败：{exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
        print("已停止。", flush=True)
    return 0
