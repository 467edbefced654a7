"""Real processes for the reliability tests: Django scripts, Celery workers, and Redis and
PostgreSQL servers of a test's own, so that a test can kill or stop them without touching
anyone else's.

Every wait is bounded by a deadline, every process is stopped through its own handle, and
every start is paired with a cleanup by its caller (``addCleanup``).

A child script is a plain function named ``module:function``, run by
``python -m ads.tests.processes module:function '<json kwargs>'``: Django is set up first, and
what the function returns is printed as JSON on the last line of stdout.
"""

import contextlib
import importlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from time_machine import escape_hatch

BASE_DIR = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def real_monotonic() -> float:
    """The real monotonic clock, also while a test has stopped time-machine's (tick=False):
    a wait on a frozen clock would never end."""
    return escape_hatch.time.monotonic() if escape_hatch.is_travelling() else time.monotonic()


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `condition` until it holds; a TimeoutError naming `what` after `timeout` seconds."""
    deadline = real_monotonic() + timeout
    while not condition():
        if real_monotonic() > deadline:
            raise TimeoutError(f"Gave up after {timeout:g}s waiting for {what}.")
        time.sleep(0.05)


def database_url(settings_dict: Mapping[str, Any], name: str | None = None) -> str:
    """A DATABASE_URL for the database `settings_dict` describes (pytest-django's test_ one)."""
    auth = quote(str(settings_dict["USER"] or ""))
    if settings_dict.get("PASSWORD"):
        auth += ":" + quote(str(settings_dict["PASSWORD"]))
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{name or settings_dict['NAME']}"


def child_env(database_url_: str | None = None, **overrides: str) -> dict[str, str]:
    """This process's environment for a child, its DATABASE_URL pointing at this test's database.

    pytest-django renames the database (test_<NAME>) only inside this process; a child reading
    DATABASE_URL unchanged would write to the development database instead.
    """
    from django.db import connection

    env = dict(os.environ)
    env["DATABASE_URL"] = database_url_ or database_url(connection.settings_dict)
    env["DJANGO_SETTINGS_MODULE"] = "budget_system.settings"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(overrides)
    return env


def copy_working_tree(target: Path) -> None:
    """Copy the files git tracks or would track (no .env, no database) into `target`: the
    project as a fresh clone of this working tree has it."""
    names = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=BASE_DIR,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, names.split("\0")):
        source = BASE_DIR / name
        if source.is_file():  # a tracked file deleted in the working tree is left out
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


class Child:
    """A subprocess in its own session whose output goes to files, so no full pipe stalls it.

    The files live in a folder of the child's own, removed as soon as the child is seen to have
    exited (its output is kept in memory from then on), so that no test run leaves folders in the
    temporary directory, whether or not its caller calls `close`. A child never seen to exit has
    its folder removed when it is garbage-collected or, at the latest, when the test run ends.
    """

    def __init__(self, args: list[str], env: Mapping[str, str], cwd: Path = BASE_DIR) -> None:
        self.args = args
        self.directory = Path(tempfile.mkdtemp(prefix="ads-child-"))
        self._remove_directory = weakref.finalize(
            self, shutil.rmtree, self.directory, ignore_errors=True
        )
        self._output: dict[str, str] | None = None
        with self._path("stdout").open("wb") as out, self._path("stderr").open("wb") as err:
            self.process = subprocess.Popen(
                args, cwd=cwd, env=dict(env), stdout=out, stderr=err, start_new_session=True
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def _path(self, stream: str) -> Path:
        return self.directory / stream

    def _read(self, stream: str) -> str:
        if self._output is not None:
            return self._output[stream]
        return self._path(stream).read_text(encoding="utf-8", errors="replace")

    def _exited(self) -> bool:
        """Whether the child has exited; the first time it has, its output moves into memory."""
        if self.process.poll() is None:
            return False
        if self._output is None:
            self._output = {stream: self._read(stream) for stream in ("stdout", "stderr")}
            self._remove_directory()
        return True

    def stdout(self) -> str:
        return self._read("stdout")

    def stderr(self) -> str:
        return self._read("stderr")

    def describe(self) -> str:
        return (
            f"{' '.join(self.args[:4])} exited {self.process.returncode}\n"
            f"--- stdout\n{self.stdout()[-4000:]}\n--- stderr\n{self.stderr()[-4000:]}"
        )

    def running(self) -> bool:
        return not self._exited()

    def wait(self, timeout: float) -> int:
        """The exit code; on timeout the process group is killed and TimeoutError raised."""
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise TimeoutError(f"Still running after {timeout:g}s:\n{self.describe()}") from None
        self._exited()
        return code

    def result(self, timeout: float) -> Any:
        """Wait for a script's exit and return the JSON it printed last; fail on a non-zero exit."""
        if self.wait(timeout) != 0:
            raise AssertionError(self.describe())
        lines = self.stdout().strip().splitlines()
        return json.loads(lines[-1]) if lines else None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send `sig` to this child's process group (the child and anything it forked).

        Only while the child is not yet reaped: until then its pid, the group's id, cannot have
        been reused by a process that is not ours.
        """
        if not self._exited():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
        if sig == signal.SIGKILL:
            self.process.wait(timeout=30)
            self._exited()

    def close(self) -> None:
        self.kill()


@dataclass
class BrokerRetryWatch:
    """Whether a publish retried its broker connection (see `broker_retry_watch`)."""

    retried: bool = False


@contextlib.contextmanager
def broker_retry_watch() -> Iterator[BrokerRetryWatch]:
    """Note whether a publish in the block retried its broker connection, for a child whose
    broker is down: kombu calls the transport's `errback` before each retry's sleep. The child
    must not have published before (its connections take the options when first made)."""
    from budget_system.celery import app

    watch = BrokerRetryWatch()

    def heard(error: Exception, interval: float) -> None:
        watch.retried = True

    options = app.conf.broker_transport_options  # the settings' own dict: a new one is not seen
    options["errback"] = heard
    try:
        yield watch
    finally:
        del options["errback"]


def start_script(target: str, env: Mapping[str, str] | None = None, **kwargs: Any) -> Child:
    """Run the function `target` ("module:function") with `kwargs` in a new Django process."""
    args = [PYTHON, "-m", "ads.tests.processes", target, json.dumps(kwargs, default=str)]
    return Child(args, env if env is not None else child_env())


def start_manage(*args: str, env: Mapping[str, str]) -> Child:
    return Child([PYTHON, str(BASE_DIR / "manage.py"), *args], env)


def start_worker(env: Mapping[str, str], name: str) -> Child:
    """A real `celery -A budget_system worker`: prefork, one pool process, in its own session.

    Killing its process group kills the pool process too, as a crash of the container would.
    """
    args = [
        PYTHON,
        "-m",
        "celery",
        "-A",
        "budget_system",
        "worker",
        "--loglevel=INFO",
        "--concurrency=1",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--hostname",
        f"{name}@%h",
    ]
    return Child(args, env)


def wait_for_worker(worker: Child, timeout: float = 60) -> None:
    """Until the worker logs that it consumes; fails at once if it exits instead."""
    wait_until(
        lambda: " ready." in worker.stderr() or not worker.running(),
        timeout,
        "the Celery worker to start",
    )
    if not worker.running():
        raise AssertionError(worker.describe())


class RedisServer:
    """A Redis of one test's own on a free port, without persistence: stop it, start it again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="ads-redis-"))
        self.child: Child | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def answers(self) -> bool:
        import redis

        client = redis.Redis(port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False
        finally:
            client.close()

    def start(self) -> None:
        args = [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.directory),
        ]
        self.child = Child(args, os.environ, cwd=self.directory)
        wait_until(self.answers, 10, f"redis-server on port {self.port}")

    def stop(self) -> None:
        """Kill the server outright, as a crash or an outage would."""
        if self.child is not None:
            self.child.close()
            self.child = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def postgres_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not candidates:
        raise FileNotFoundError(
            f"PostgreSQL's {name} is neither on PATH nor in /usr/lib/postgresql"
        )
    return str(candidates[-1])


class PostgresCluster:
    """A throwaway PostgreSQL cluster on a free port, which a test may stop and restart.

    As root the server runs as the postgres OS user, as PostgreSQL refuses to run as root.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="ads-pg-"))
        self.data = self.directory / "data"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.directory, user="postgres", group="postgres")
        self.started = False

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, cwd="/", capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            log = self.directory / "postgres.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {done.stdout}{done.stderr}{tail}")

    def init(self) -> None:
        self._run(
            postgres_bin("initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.directory}'\n"
                "fsync = off\nfull_page_writes = off\n"
            )

    def start(self) -> None:
        log = str(self.directory / "postgres.log")
        self.started = True
        self._run(
            postgres_bin("pg_ctl"), "-D", str(self.data), "-l", log, "-w", "-t", "60", "start"
        )

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server; "immediate" drops every connection at once, as a crash would."""
        if self.started:
            self._run(postgres_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")
            self.started = False

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def connect(self, name: str = "postgres") -> Any:
        """A psycopg2 connection to database `name`, in autocommit."""
        import psycopg2  # type: ignore[import-untyped]  # no stubs in requirements-dev

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=name)
        conn.autocommit = True
        return conn

    def create_database(self, name: str) -> None:
        conn = self.connect()
        try:
            conn.cursor().execute(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


def main(argv: list[str]) -> None:
    import django

    django.setup()
    module_name, _, function_name = argv[1].partition(":")
    function = getattr(importlib.import_module(module_name), function_name)
    result = function(**json.loads(argv[2]))
    print(json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main(sys.argv)
