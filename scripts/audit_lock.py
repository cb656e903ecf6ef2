"""Audit the locked dependencies (``uv.lock``) for known vulnerabilities: ``make audit``.

Every package of the lock (all groups, the project itself left out) is exported with
``uv export`` and checked by pip-audit (pinned below, run with ``uvx`` so that it needs no
place in the lock) against each vulnerability service it knows: PyPI's JSON API and OSV.
The result goes to ``reports/dependency-audit.md`` (and ``.json``, pip-audit's own output per
service).

A package that pip-audit could not look up is *not audited*, and pip-audit still prints
"No known vulnerabilities found" when it skipped every package. So the report counts, per
service, the packages really looked up, and says "not audited" when none was; the exit
status is 0 only when some service looked up every package and found nothing, 1 when it
found a vulnerability, 2 when no service could audit the lock.

Usage: ``python scripts/audit_lock.py [--python PATH]`` (the Makefile passes its Python).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PIP_AUDIT = "pip-audit==2.10.1"
SERVICES = ("pypi", "osv")
REPORT = ROOT / "reports" / "dependency-audit.md"


@dataclass
class Result:
    """One service's audit of the lock."""

    service: str
    packages: int = 0
    audited: int = 0
    vulnerable: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Whether every package was looked up."""
        return not self.error and self.packages > 0 and self.audited == self.packages


def export_lock(target: Path) -> int:
    """Write the lock as pinned requirements to ``target``; how many packages."""
    text = subprocess.run(
        ["uv", "export", "--frozen", "--format", "requirements-txt", "--no-hashes",
         "--all-groups", "--no-emit-project"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    target.write_text(text, encoding="utf-8")
    pins = [line.split(";")[0].strip() for line in text.splitlines() if "==" in line]
    names = {re.sub(r"[-_.]+", "-", pin.split("==")[0]).lower() for pin in pins}
    return len({name.split("[")[0] for name in names if not name.startswith("#")})


def audit(service: str, requirements: Path, python: str, work: Path) -> Result:
    """Run pip-audit against ``service``; what it could look up and what it found."""
    output = work / f"{service}.json"
    done = subprocess.run(
        ["uvx", "--python", python, PIP_AUDIT, "--requirement", str(requirements), "--no-deps",
         "--disable-pip", "--vulnerability-service", service, "--format", "json",
         "--output", str(output), "--progress-spinner", "off"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    result = Result(service)
    if not output.exists():
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        # The exception's name only: its message names the service's host.
        error = lines[-1].split(":")[0] if lines else f"pip-audit exited with {done.returncode}"
        result.error = f"{error} (the service could not be reached)"
        return result
    result.raw = json.loads(output.read_text(encoding="utf-8"))
    dependencies = result.raw.get("dependencies", [])
    result.packages = len(dependencies)
    result.audited = sum(1 for d in dependencies if not d.get("skip_reason"))
    result.vulnerable = [d for d in dependencies if d.get("vulns")]
    return result


def report(results: list[Result], packages: int, when: dt.datetime) -> str:
    """The Markdown report."""
    lines = [
        "# Dependency audit of `uv.lock`",
        "",
        f"Run {when:%Y-%m-%d %H:%M} UTC with `make audit` (`scripts/audit_lock.py`): {PIP_AUDIT}"
        f" over the {packages} pinned packages of the lock (all groups; pip-audit skips those"
        " whose markers exclude this platform).",
        "",
        "| service | packages looked up | vulnerable | result |",
        "|---|---|---|---|",
    ]
    for r in results:
        if r.error:
            outcome = f"**not audited**: {r.error}"
        elif r.audited == 0:
            reason = next((d["skip_reason"] for d in r.raw.get("dependencies", [])), "")
            outcome = f"**not audited**: every package skipped (e.g. “{reason}”)"
        elif r.vulnerable:
            outcome = f"**{len(r.vulnerable)} vulnerable packages** (below)"
        elif r.complete:
            outcome = "no known vulnerability"
        else:
            outcome = f"no known vulnerability among the {r.audited} looked up"
        lines.append(
            f"| {r.service} | {r.audited} of {r.packages or packages} | {len(r.vulnerable)} "
            f"| {outcome} |"
        )
    for r in results:
        for dep in r.vulnerable:
            ids = ", ".join(v["id"] for v in dep["vulns"])
            fixes = sorted({f for v in dep["vulns"] for f in v.get("fix_versions", [])})
            lines.append(f"- {r.service}: {dep['name']} {dep['version']}: {ids}"
                         f" (fixed in {', '.join(fixes) or 'no release yet'})")  # fmt: skip
    lines += ["", verdict(results)]
    return "\n".join(lines) + "\n"


def verdict(results: list[Result]) -> str:
    """One paragraph: what the run can and cannot claim."""
    if any(r.vulnerable for r in results):
        return "**Vulnerable packages were found**: see the list above."
    if any(r.complete for r in results):
        return "Every package was looked up by a service; none has a known vulnerability."
    return (
        "**The lock was not audited.** No vulnerability service could be reached from this "
        "machine, so this run cannot say whether any locked package has a known "
        "vulnerability; pip-audit's own summary (“No known vulnerabilities found”) is printed "
        "even when it skipped every package and must not be read as a pass. Here the "
        "package index answers (uv installs from it) but its JSON API, where PyPI publishes "
        "advisories, does not, and OSV's name does not resolve. Re-run `make audit` where "
        "either service is reachable."
    )


def main() -> int:
    """Audit, write the report, return the exit status described above."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="the Python to run pip-audit")
    args = parser.parse_args()
    when = dt.datetime.now(dt.timezone.utc)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        requirements = work / "requirements.txt"
        packages = export_lock(requirements)
        results = [audit(service, requirements, args.python, work) for service in SERVICES]
    REPORT.write_text(report(results, packages, when), encoding="utf-8")
    raw = {r.service: r.raw or {"error": r.error} for r in results}
    REPORT.with_suffix(".json").write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")
    print(REPORT.read_text(encoding="utf-8"))
    if any(r.vulnerable for r in results):
        return 1
    return 0 if any(r.complete for r in results) else 2


if __name__ == "__main__":
    sys.exit(main())
