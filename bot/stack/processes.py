"""Run the whole assistant on one machine: train if needed, then the servers, until Ctrl-C.

Processes (the profile, :mod:`bot.stack.profile`, says where state is kept: embedded defaults keep
conversations in memory; ``HUKOU_PROFILE=production`` uses PostgreSQL, Redis and RabbitMQ):

* the action server (``rasa_sdk``) on ``--action-port`` (default 5055);
* one Rasa server per worker with the REST channel, from ``--rasa-port`` on (default 5005),
  started through :mod:`bot.rasa_ext.server` (Rasa's own CLI with the action-response validation
  made cheap);
* the web gateway (FastAPI: widget, staff page, API) on ``--web-port`` (default 8000).

It prints where to talk to the assistant once everything answers, and stops all of it
cleanly on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bot.paths import BOT_DIR, MODEL, ROOT
from bot.stack.profile import Profile, ProfileError
from bot.stack.training import model_is_stale, train_command


def wait_until_up(url: str, timeout: float, what: str, proc: subprocess.Popen[bytes]) -> None:
    """Poll ``url`` until it answers 200; fail early if ``proc`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} while starting")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
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
    _endpoints: Path | None = None

    def _spawn(
        self, name: str, command: list[str], extra_env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        log = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            log = (self.log_dir / f"{name}.log").open("ab")
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(extra_env or {})}
        if self.faq_url:
            env["DATABASE_URL"] = self.faq_url
        proc = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT if log else None, env=env
        )
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

    def start(self, timeout: float = 300.0) -> None:
        """Start the action server, the Rasa workers and (with ``web_port``) the gateway.

        The FAQ desk's database is brought to the latest schema first, once, so that the
        processes never race to migrate it. Returns when every process answers.
        """
        from bot.faq.db import prepare_database

        prepare_database(self.faq_url)
        self._endpoints = self.profile.write_endpoints(
            f"http://127.0.0.1:{self.action_port}/webhook"
        )
        actions = None
        if not self.profile.actions_in_process:
            actions = self._spawn(
                "actions",
                [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
                 "--port", str(self.action_port)],
            )  # fmt: skip
        for worker in range(self.profile.workers):
            self.start_worker(worker)
        web = None
        if self.web_port is not None:
            env = {
                "HUKOU_RASA_URLS": ",".join(f"http://127.0.0.1:{p}" for p in self.rasa_ports),
                # Empty: the actions run inside the workers, there is no server to watch.
                "HUKOU_ACTION_URL": ""
                if actions is None
                else f"http://127.0.0.1:{self.action_port}",
            }
            web = self._spawn(
                "web",
                [sys.executable, "-m", "uvicorn", "bot.web.app:create_app", "--factory",
                 "--host", "127.0.0.1", "--port", str(self.web_port), "--log-level", "warning",
                 "--ws", "none"],
                env,
            )  # fmt: skip
        if actions is not None:
            wait_until_up(
                f"http://127.0.0.1:{self.action_port}/health", timeout, "action server", actions
            )
        for worker in range(self.profile.workers):
            self.wait_for_worker(worker, timeout)
        if web is not None:
            wait_until_up(f"http://127.0.0.1:{self.web_port}/healthz", timeout, "web gateway", web)

    def _worker_name(self, worker: int) -> str:
        return "rasa" if worker == 0 else f"rasa-{worker}"

    def start_worker(self, worker: int) -> None:
        """Start Rasa worker ``worker`` (0-based) on its port; does not wait for it.

        A conversation lock left by a worker that died mid-turn expires after the profile's
        ``TICKET_LOCK_LIFETIME`` seconds (:attr:`~bot.stack.profile.Profile.lock_lifetime`).
        """
        self._spawn(
            self._worker_name(worker),
            [sys.executable, "-m", "bot.rasa_ext.server", "run", "--model", str(self.model),
             "--endpoints", str(self._endpoints),
             "--credentials", str(BOT_DIR / "credentials.yml"),
             "--port", str(self.rasa_ports[worker]), "--enable-api",
             "--interface", "127.0.0.1"],
            {"TICKET_LOCK_LIFETIME": self.profile.lock_lifetime},
        )  # fmt: skip

    def wait_for_worker(self, worker: int, timeout: float = 300.0) -> None:
        """Wait until Rasa worker ``worker`` answers on ``/status``."""
        proc = self.process(self._worker_name(worker))
        url = f"http://127.0.0.1:{self.rasa_ports[worker]}/status"
        wait_until_up(url, timeout, f"Rasa worker {worker}", proc)

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


def serve(rasa_port: int, action_port: int, web_port: int = 8000, train: bool = True) -> int:
    """Train if needed, start everything, print the address and wait for Ctrl-C."""
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
        while not stopping:
            for name, proc in stack.procs:
                if proc.poll() is not None:
                    print(
                        f"{name} 意外退出（代码 {proc.returncode}），正在停止全部服务。", flush=True
                    )
                    stopping = True
            time.sleep(0.5)
    except RuntimeError as exc:
        print(f"启动失败：{exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
        print("已停止。", flush=True)
    return 0
