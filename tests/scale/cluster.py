"""The engines and processes of a scaled-out deployment, started on loopback by a test.

- PostgreSQL: a database of the test's own, cloned from a template migrated once per run
  with ``flask --app wsgi db upgrade``, dropped at the end (never the ``test`` database).
- Redis: a private ``redis-server`` on a free port (no persistence), so a test may stop
  and restart it without touching anyone else's; db 0 holds rate limits, db 1 is the
  Celery broker.
- S3: the test's moto server, a bucket of the test's own with the site's CORS rule.
- gunicorn web processes, a Celery worker and celery beat: each a process group of its
  own with its own instance folder (nothing per-node in ``instance/`` may matter), all
  sharing only the settings a real deployment shares (secret, signing key, URLs).
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tests.helpers import free_port, wait_for

PROJECT_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90.0  # seconds for a process to answer; the machine is shared
SITE_ORIGIN = "https://learn.keqiao.example"  # the public origin the bucket's CORS allows


def venv_tool(name: str) -> list[str]:
    tool = Path(sys.executable).parent / name
    return [str(tool)] if tool.exists() else [sys.executable, "-m", name]


# --- PostgreSQL ------------------------------------------------------------------------


class Postgres:
    """The server of LMS_TEST_DATABASE_URL, reached as its admin through ``postgres``."""

    def __init__(self, test_database_url: str):
        parts = urlsplit(test_database_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 5432
        self.user = parts.username or "postgres"
        self.password = parts.password

    def url(self, database: str) -> str:
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"postgresql://{auth}@{self.host}:{self.port}/{database}"

    def connect(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(self.url(database), autocommit=True)

    def drop(self, name: str) -> None:
        with self.connect() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def clean_environ() -> dict:
    """This process's environment without any LMS_* setting (tests set their own)."""
    return {name: value for name, value in os.environ.items() if not name.startswith("LMS_")}


# --- processes -------------------------------------------------------------------------


@dataclass
class Service:
    """One process group (gunicorn's master and workers, celery and its children...)."""

    name: str
    process: subprocess.Popen
    log: Path
    url: str | None = None
    ready: Callable[[], bool] = lambda: True  # what says it has started

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tail(self, chars: int = 3000) -> str:
        return f"--- {self.name} ({self.log}) ---\n{self.text()[-chars:]}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole group: what a power cut or the OOM killer does."""
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if not self.alive():
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


def spawn(name: str, command: list[str], environ: dict, log: Path) -> Service:
    with log.open("ab") as output:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=environ,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Service(name, process, log)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


class RedisServer:
    """A private redis-server on a free loopback port, without persistence."""

    def __init__(self, folder: Path):
        self.port, self.folder = free_port(), folder
        self.service: Service | None = None
        self.url = f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.folder),
        ]
        self.service = spawn("redis", command, os.environ.copy(), self.folder / "redis.log")
        wait_for(self.pings, timeout=30, message=f"redis-server on port {self.port}")

    def pings(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.service:
            self.service.stop()


@dataclass
class Cluster:
    """Everything one test runs; ``environ`` is what every node of it is given."""

    folder: Path
    environ: dict
    database: str
    database_url: str
    redis: RedisServer
    s3_endpoint: str
    s3_public_endpoint: str
    services: list[Service] = field(default_factory=list)
    control_app: object = None  # the in-process app of the test, once made

    def node_environ(self, name: str, **overrides) -> dict:
        instance = self.folder / f"instance-{name}"
        instance.mkdir(exist_ok=True)
        return {**clean_environ(), **self.environ, "LMS_INSTANCE_PATH": str(instance), **overrides}

    def start_web(self, name: str, *, wait: bool = True, **overrides) -> Service:
        """gunicorn, one worker process with 4 threads, on a free port."""
        port = free_port()
        command = [
            *venv_tool("gunicorn"),
            "--workers",
            "1",
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--no-control-socket",  # gunicorn 27's default socket path is one per machine
            "wsgi:app",
        ]
        web = self._spawn(name, command, overrides)
        web.url = f"http://127.0.0.1:{port}"
        web.ready = lambda: answers(f"{web.url}/healthz")
        return self.wait_ready(web) if wait else web

    def start_worker(self, name: str = "worker", *, wait: bool = True, **overrides) -> Service:
        command = [
            *venv_tool("celery"),
            "-A",
            "lms.worker",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"{name}-{secrets.token_hex(3)}@%h",
        ]
        worker = self._spawn(name, command, overrides)
        worker.ready = lambda: " ready." in worker.text()
        return self.wait_ready(worker) if wait else worker

    def start_beat(self, name: str = "beat", *, wait: bool = True) -> Service:
        schedule = self.folder / f"{name}-schedule"
        command = [
            *venv_tool("celery"),
            "-A",
            "lms.worker",
            "beat",
            "--loglevel=INFO",
            "--schedule",
            str(schedule),
            "--pidfile=",
        ]
        beat = self._spawn(name, command, {})
        beat.ready = lambda: "beat: Starting" in beat.text()
        return self.wait_ready(beat) if wait else beat

    def _spawn(self, name: str, command: list[str], overrides: dict) -> Service:
        log = self.folder / f"{name}.log"
        service = spawn(name, command, self.node_environ(name, **overrides), log)
        self.services.append(service)
        return service

    def wait_ready(self, *services: Service) -> Service:
        """Wait until every one has started (they start side by side); the first."""

        def check():
            for service in services:
                assert service.alive(), f"{service.name} exited early\n{service.tail()}"
            return all(service.ready() for service in services)

        try:
            wait_for(
                check,
                timeout=START_TIMEOUT,
                message=", ".join(s.name for s in services),
                interval=0.2,
            )
        except AssertionError as error:
            raise AssertionError(f"{error}\n{self.logs()}") from None
        return services[0]

    def logs(self) -> str:
        redis = [self.redis.service] if self.redis.service else []
        return "\n".join(service.tail() for service in [*self.services, *redis])

    def stop(self) -> None:
        """SIGTERM every process group at once, SIGKILL what is left after 10 s."""
        running = [service for service in self.services if service.alive()]
        for service in running:
            os.killpg(service.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for service in running:
            try:
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                service.kill()
