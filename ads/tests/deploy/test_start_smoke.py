"""Smoke test of ./start.sh's local mode: the whole system from one command, and gone after Ctrl-C.

It starts start.sh as a newcomer would, in a fresh copy of the working tree (the files git
tracks or would track), with no DATABASE_URL (SQLite), no Celery or secret settings (start.sh
writes .env) and START_MODE=local (so Docker is never used even where it works). It reuses the
virtualenv running this test (start.sh's VENV setting) instead of installing a new one, and free
ports for the web server, Flower and Redis. Then, through the real processes: the admin's login
page and its static files, logging in as the admin user start.sh created, Flower behind its
login, a spend recorded through `manage.py shell`, a task run by the worker, a task that beat
sent, and a second start refused. SIGINT to start.sh must then stop every process it started:
each of them carries a marker in its environment, which /proc shows. It must too when start.sh's
output went into a pipe whose reader has gone (`./start.sh | tee run.log`, then Ctrl-C).
"""

import base64
import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from ads.tests.processes import Child, copy_working_tree, free_port, wait_until
from budget_system.settings import secret_key_weakness

BASE_DIR = Path(settings.BASE_DIR)
# Settings a developer's or test.sh's environment may hold that the newcomer's has not.
NOT_INHERITED = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "DEBUG",
    "SECRET_KEY",
    "FLOWER_BASIC_AUTH",
    "DJANGO_SETTINGS_MODULE",
)
# A shell that starts a job in the background ignores SIGINT for it, Python ignores SIGPIPE,
# and bash can neither trap nor reset a signal ignored on entry: start.sh is exec'd with both
# restored to their defaults, as from a terminal.
EXEC_AS_FROM_A_TERMINAL = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "signal.signal(signal.SIGPIPE, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"
)


def processes_of(marker: str, project: Path) -> list[int]:
    """The pids of every live process started from `project`: its environment holds `marker`,
    or it runs inside the project (redis-server writes its title over its environment)."""
    needle = marker.encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            inside = Path(os.readlink(entry / "cwd")).is_relative_to(project)
            if inside or needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
    return found


def fetch(url: str, auth: str | None = None) -> tuple[int, bytes]:
    """GET `url`: its status and body; status 0 when nothing answers.

    Every URL here is http://127.0.0.1:<port>/..., built by this module.
    """
    request = urllib.request.Request(url)  # noqa: S310
    if auth is not None:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""
    except OSError:
        return 0, b""


def status(url: str, auth: str | None = None) -> int:
    return fetch(url, auth)[0]


def read_env_file(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


class StartScriptLocalModeTests(SimpleTestCase):
    def setUp(self) -> None:
        self.project = Path(tempfile.mkdtemp(prefix="start-smoke-"))
        self.addCleanup(shutil.rmtree, self.project, ignore_errors=True)
        copy_working_tree(self.project)
        self.web_port, self.flower_port, self.redis_port = free_port(), free_port(), free_port()
        self.admin_password = secrets.token_urlsafe(16)
        self.marker = f"START_SMOKE_RUN={secrets.token_hex(8)}"
        env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
        env.update(
            START_MODE="local",
            VENV=sys.prefix,
            WEB_PORT=str(self.web_port),
            FLOWER_PORT=str(self.flower_port),
            REDIS_PORT=str(self.redis_port),
            DJANGO_SUPERUSER_USERNAME="admin",
            DJANGO_SUPERUSER_PASSWORD=self.admin_password,
            DJANGO_SUPERUSER_EMAIL="admin@example.com",
        )
        self.start_env = {**env, self.marker.split("=")[0]: self.marker.split("=")[1]}
        # What a second terminal has: the project's .env, and the Redis that start.sh runs.
        self.manage_env = {
            **env,
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "CELERY_RESULT_BACKEND": f"redis://127.0.0.1:{self.redis_port}/0",
        }
        self.addCleanup(self.kill_leftovers)

    def start_child(self) -> Child:
        """start.sh as from a terminal, its output in files."""
        self.start = Child(
            [sys.executable, "-c", EXEC_AS_FROM_A_TERMINAL, "./start.sh"],
            self.start_env,
            self.project,
        )
        self.addCleanup(self.start.close)
        return self.start

    def kill_leftovers(self) -> None:
        for pid in processes_of(self.marker, self.project):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def url(self, port: int, path: str) -> str:
        return f"http://127.0.0.1:{port}{path}"

    def wait_for(self, what: str, timeout: float, condition: Callable[[], bool]) -> None:
        def ready() -> bool:
            if not self.start.running():
                raise AssertionError(f"start.sh exited before {what}:\n{self.start.describe()}")
            return condition()

        wait_until(ready, timeout, what)

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=self.project,
            env=self.manage_env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        return done.stdout

    def test_one_command_runs_the_whole_system_and_ctrl_c_stops_all_of_it(self) -> None:
        self.start_child()
        admin = self.url(self.web_port, "/admin/login/")
        # Generous: the first start migrates a new SQLite database and collects static files.
        self.wait_for("the admin login page", 240, lambda: status(admin) == 200)
        self.wait_for("Flower", 60, lambda: status(self.url(self.flower_port, "/")) != 0)

        env_file = read_env_file(self.project / ".env")
        self.assertIsNone(secret_key_weakness(env_file["SECRET_KEY"]))
        self.assertEqual((self.project / ".env").stat().st_mode & 0o777, 0o600)
        self.check_admin()
        self.check_flower(env_file["FLOWER_BASIC_AUTH"])
        self.check_second_start_is_refused()
        self.check_spend_and_worker()
        self.check_beat(env_file["FLOWER_BASIC_AUTH"])

        os.kill(self.start.pid, signal.SIGINT)
        self.assertEqual(self.start.wait(timeout=120), 130, self.start.describe())
        self.assertIn("start.sh: stopped", self.start.stdout())
        self.assertEqual(processes_of(self.marker, self.project), [])
        self.assertFalse((self.project / ".run" / "start.pid").exists())
        self.assertEqual(status(admin), 0)

    def test_ctrl_c_after_the_output_reader_has_gone_still_stops_every_child(self) -> None:
        """`./start.sh | tee run.log`, then Ctrl-C: the terminal stops tee and start.sh at once,
        so start.sh reports its stopping into a pipe nobody reads; it must stop every child
        anyway. Here the reader goes away first, for certain (a terminal's Ctrl-C only makes it
        likely), and stderr shares the pipe (`2>&1 | tee`)."""
        start = subprocess.Popen(
            [sys.executable, "-c", EXEC_AS_FROM_A_TERMINAL, "./start.sh"],
            cwd=self.project,
            env=self.start_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.addCleanup(self.kill_group, start)
        assert start.stdout is not None
        lines = []
        # The reader: until start.sh says it runs (its last line before it stops), then gone.
        for line in start.stdout:
            lines.append(line.decode(errors="replace"))
            if "start.sh: running." in lines[-1]:
                break
        start.stdout.close()
        self.assertIn("start.sh: running.", lines[-1], "".join(lines))
        self.assertNotEqual(set(processes_of(self.marker, self.project)) - {start.pid}, set())

        os.kill(start.pid, signal.SIGINT)
        self.assertEqual(start.wait(timeout=120), 130, "start.sh did not exit through its trap")
        self.assertEqual(processes_of(self.marker, self.project), [])
        self.assertFalse((self.project / ".run" / "start.pid").exists())
        self.assertEqual(status(self.url(self.web_port, "/admin/login/")), 0)

    def kill_group(self, process: "subprocess.Popen[bytes]") -> None:
        """Kill start.sh's group while it is not yet reaped (its pid cannot be reused till then)."""
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)

    def check_admin(self) -> None:
        """The login page with its stylesheet (whitenoise, DEBUG off), then a real login."""
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with browser.open(self.url(self.web_port, "/admin/login/"), timeout=10) as response:
            page = response.read().decode()
        stylesheet = re.search(r'href="(/static/admin/css/[^"]+\.css)"', page)
        assert stylesheet is not None, page
        self.assertEqual(status(self.url(self.web_port, stylesheet.group(1))), 200)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None, page
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": "admin",
                "password": self.admin_password,
                "next": "/admin/",
            }
        ).encode()
        # Over plain HTTP this works only if the session and CSRF cookies are not Secure-only.
        with browser.open(self.url(self.web_port, "/admin/login/"), form, timeout=10) as response:
            self.assertEqual(response.url, self.url(self.web_port, "/admin/"))
            self.assertTrue('id="logout-form"' in response.read().decode(), "not logged in")

    def check_flower(self, auth: str) -> None:
        flower = self.url(self.flower_port, "/")
        self.assertEqual(status(flower), 401)
        self.assertEqual(status(flower, auth="admin:wrong-password"), 401)
        self.assertEqual(status(flower, auth=auth), 200)

    def check_second_start_is_refused(self) -> None:
        done = subprocess.run(
            ["./start.sh"],
            cwd=self.project,
            env=self.start_env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn(f"already running (pid {self.start.pid})", done.stderr)
        self.assertTrue(self.start.running())
        self.assertEqual(status(self.url(self.web_port, "/admin/login/")), 200)

    def check_spend_and_worker(self) -> None:
        self.assertIn("Created brand Hudson Outfitters", self.manage("seed_demo"))
        script = (
            "import json\n"
            "from ads.models import Campaign, SpendLog\n"
            "from ads.services import BudgetService\n"
            "from ads.tasks import enforce_budgets\n"
            "campaign = Campaign.objects.get(name='Always-on Search')\n"
            "BudgetService.record_spend(campaign, '12.34', 'smoke', external_id='smoke-1')\n"
            "count = SpendLog.objects.filter(external_id='smoke-1').count()\n"
            "print(json.dumps({'spends': count, 'task': enforce_budgets.delay().get(timeout=60)}))"
        )
        result = json.loads(self.manage("shell", "-c", script).strip().splitlines()[-1])
        self.assertEqual(result["spends"], 1)
        self.assertEqual(set(result["task"]), {"activated", "paused"})

    def check_beat(self, auth: str) -> None:
        """Beat sends enforce_dayparting every minute; the worker runs it, Flower saw it."""
        api = self.url(
            self.flower_port, "/api/tasks?taskname=ads.tasks.enforce_dayparting&state=SUCCESS"
        )

        def beat_task_succeeded() -> bool:
            code, body = fetch(api, auth)
            self.assertEqual(code, 200)
            return bool(json.loads(body))

        self.wait_for("a task sent by beat to succeed", 180, beat_task_succeeded)
