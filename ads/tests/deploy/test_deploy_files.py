"""The files that run the system: docker-compose.yml, the Dockerfile, .env.example, start.sh and
start.ps1 (the seed_demo command a newcomer runs next: ads/tests/commands/test_seed_demo.py).

There is no Docker engine (nor compose plugin) on the test machines, so the compose file is read
as data (PyYAML) and checked for what `docker compose up` relies on: the services, their
healthchecks, the start order, volumes, and that every value it interpolates has a placeholder in
.env.example. The Dockerfile goes through hadolint, the linter the venv ships.
"""

import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.test import SimpleTestCase

from budget_system.settings import secret_key_weakness

BASE_DIR = Path(settings.BASE_DIR)
SERVICES = {"db", "redis", "web", "celery-worker", "celery-beat", "celery-flower"}
APP_SERVICES = {"web", "celery-worker", "celery-beat", "celery-flower"}
# The seed README's order: redis -> web -> worker and beat; Flower after the worker; the web
# and the workers after the database too.
START_ORDER = {
    "db": set(),
    "redis": set(),
    "web": {"db", "redis"},
    "celery-worker": {"db", "redis", "web"},
    "celery-beat": {"db", "redis", "web"},
    "celery-flower": {"redis", "celery-worker"},
}
SECRET_SETTINGS = {
    "SECRET_KEY",
    "POSTGRES_PASSWORD",
    "FLOWER_BASIC_AUTH",
    "DJANGO_SUPERUSER_PASSWORD",
}
# What start.sh and start.ps1 read from the environment (or .env).
START_SETTINGS = (
    "START_MODE",
    "VENV",
    "WEB_PORT",
    "FLOWER_PORT",
    "REDIS_PORT",
    "DJANGO_SUPERUSER_USERNAME",
    "DJANGO_SUPERUSER_PASSWORD",
    "DJANGO_SUPERUSER_EMAIL",
    "DATABASE_URL",
)
# ${NAME}, ${NAME:-default}, ${NAME:?error}; "$${NAME}" is escaped for the container's shell.
INTERPOLATED = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")


def read(name: str) -> str:
    return (BASE_DIR / name).read_text(encoding="utf-8")


def env_example() -> dict[str, str]:
    """.env.example's assignments (comments and blank lines left out)."""
    pairs = {}
    for line in read(".env.example").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def strings_in(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in [str(key), *strings_in(value)]]
    if isinstance(node, list):
        return [s for item in node for s in strings_in(item)]
    return [str(node)]


def command_text(service: dict[str, Any]) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


class ComposeFileTests(SimpleTestCase):
    compose: dict[str, Any]
    services: dict[str, dict[str, Any]]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.compose = yaml.safe_load(read("docker-compose.yml"))
        cls.services = cls.compose["services"]

    def test_it_has_the_six_services(self) -> None:
        self.assertEqual(set(self.services), SERVICES)

    def test_the_start_order_waits_for_healthy_services(self) -> None:
        for name, expected in START_ORDER.items():
            with self.subTest(service=name):
                depends_on = self.services[name].get("depends_on", {})
                self.assertIsInstance(depends_on, dict, "depends_on needs conditions")
                self.assertEqual(set(depends_on), expected)
                for dependency, rule in depends_on.items():
                    self.assertEqual(rule, {"condition": "service_healthy"}, dependency)

    def test_every_service_waited_for_has_a_healthcheck(self) -> None:
        # A service_healthy condition on a service without a healthcheck never clears.
        image_has_one = re.search(r"^HEALTHCHECK\s", read("Dockerfile"), re.MULTILINE)
        waited_for = {dep for deps in START_ORDER.values() for dep in deps}
        for name in waited_for:
            with self.subTest(service=name):
                check = self.services[name].get("healthcheck")
                if check is None:
                    self.assertEqual(self.services[name].get("build"), ".")
                    self.assertIsNotNone(image_has_one, "the Dockerfile has no HEALTHCHECK")
                else:
                    self.assertNotIn("disable", check)
                    self.assertTrue(check["test"])

    def test_healthchecks_use_each_service_own_probe(self) -> None:
        probes = {
            "db": "pg_isready",
            "redis": "redis-cli ping",
            "celery-worker": "celery -A budget_system inspect ping",
            "celery-flower": "/healthcheck",
        }
        for name, probe in probes.items():
            with self.subTest(service=name):
                self.assertIn(probe, " ".join(self.services[name]["healthcheck"]["test"]))
        # The image's web check would fail in the beat container: beat turns it off.
        self.assertEqual(self.services["celery-beat"]["healthcheck"], {"disable": True})

    def test_data_lives_in_named_volumes(self) -> None:
        self.assertEqual(set(self.compose["volumes"]), {"postgres-data", "redis-data"})
        self.assertIn("postgres-data:/var/lib/postgresql/data", self.services["db"]["volumes"])
        self.assertIn("redis-data:/data", self.services["redis"]["volumes"])
        self.assertIn("--appendonly yes", command_text(self.services["redis"]))
        self.assertEqual(self.services["db"]["image"], "postgres:15")

    def test_app_services_share_the_image_the_env_file_and_restart(self) -> None:
        for name in SERVICES:
            with self.subTest(service=name):
                service = self.services[name]
                self.assertIn(service["restart"], {"unless-stopped", "always"})
                if name in APP_SERVICES:
                    self.assertEqual(service["build"], ".")
                    self.assertEqual(service["env_file"], ".env")
                    environment = service["environment"]
                    self.assertTrue(environment["DATABASE_URL"].startswith("postgres://"))
                    self.assertIn("@db:5432/", environment["DATABASE_URL"])
                    self.assertEqual(environment["CELERY_BROKER_URL"], "redis://redis:6379/0")

    def test_web_migrates_and_collects_static_before_gunicorn(self) -> None:
        command = command_text(self.services["web"])
        steps = [
            "manage.py migrate --noinput",
            "manage.py collectstatic --noinput",
            "gunicorn budget_system.wsgi --bind 0.0.0.0:8000",
        ]
        positions = [command.find(step) for step in steps]
        self.assertNotIn(-1, positions, command)
        self.assertEqual(positions, sorted(positions))
        for name, service in self.services.items():
            if "command" in service:
                self.assertNotIn("makemigrations", command_text(service), name)

    def test_the_workers_run_celery_and_beat_reads_the_database_schedule(self) -> None:
        self.assertIn(
            "celery -A budget_system worker", command_text(self.services["celery-worker"])
        )
        beat = command_text(self.services["celery-beat"])
        self.assertIn("celery -A budget_system beat", beat)
        self.assertIn("--scheduler=django_celery_beat.schedulers:DatabaseScheduler", beat)
        # Exactly one beat: no worker embeds one.
        self.assertNotRegex(command_text(self.services["celery-worker"]), r"\s(-B|--beat)\b")

    def test_flower_requires_a_login(self) -> None:
        flower = self.services["celery-flower"]
        self.assertIn("celery -A budget_system flower --port=5555", command_text(flower))
        # ${FLOWER_BASIC_AUTH:?...}: compose refuses to start without it.
        self.assertTrue(
            flower["environment"]["FLOWER_BASIC_AUTH"].startswith("${FLOWER_BASIC_AUTH:?")
        )

    def test_ports_are_published_on_localhost_only(self) -> None:
        expected = {
            "web": "127.0.0.1:${WEB_PORT:-8000}:8000",
            "celery-flower": "127.0.0.1:${FLOWER_PORT:-5555}:5555",
            "redis": "127.0.0.1:${REDIS_PORT:-6379}:6379",
        }
        for name in SERVICES:
            with self.subTest(service=name):
                ports = self.services[name].get("ports", [])
                self.assertEqual(ports, [expected[name]] if name in expected else [])

    def test_no_secret_value_is_written_in_it(self) -> None:
        for name, service in self.services.items():
            for key, value in (service.get("environment") or {}).items():
                with self.subTest(service=name, variable=key):
                    if key in SECRET_SETTINGS:
                        self.assertRegex(value, rf"^\$\{{{key}:\?")
                    if key == "DATABASE_URL":
                        # postgres://${POSTGRES_USER:-budget}:${POSTGRES_PASSWORD:?...}@db:...
                        self.assertRegex(value, r"^postgres://\$\{[^}]+\}:\$\{POSTGRES_PASSWORD:\?")

    def test_every_interpolated_variable_has_a_placeholder_in_env_example(self) -> None:
        used = {match for text in strings_in(self.compose) for match in INTERPOLATED.findall(text)}
        self.assertTrue(used)
        self.assertLessEqual(used, set(env_example()))


class DockerfileTests(SimpleTestCase):
    def instructions(self) -> list[tuple[str, str]]:
        text = read("Dockerfile").replace("\\\n", " ")
        return [
            (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
            for line in text.splitlines()
            if line.strip() and not line.startswith("#")
        ]

    def test_hadolint_passes(self) -> None:
        hadolint = Path(sys.executable).parent / "hadolint"
        done = subprocess.run(
            [str(hadolint), "Dockerfile"], cwd=BASE_DIR, capture_output=True, text=True, timeout=60
        )
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)

    def test_dependencies_are_installed_in_a_layer_of_their_own(self) -> None:
        steps = self.instructions()
        self.assertEqual(steps[0], ("FROM", "python:3.11-slim"))
        copy_requirements = steps.index(("COPY", "requirements.txt ."))
        install = next(i for i, s in enumerate(steps) if "pip install" in s[1])
        copy_code = steps.index(("COPY", ". ."))
        self.assertLess(copy_requirements, install)
        self.assertLess(install, copy_code)

    def test_it_runs_as_a_non_root_user_with_a_healthcheck(self) -> None:
        steps = self.instructions()
        users = [argument for instruction, argument in steps if instruction == "USER"]
        self.assertTrue(users)
        self.assertNotIn(users[-1].split(":")[0], {"root", "0"})
        healthchecks = [argument for instruction, argument in steps if instruction == "HEALTHCHECK"]
        self.assertEqual(len(healthchecks), 1)
        self.assertIn("http://localhost:8000/admin/login/", healthchecks[0])

    def test_gunicorn_serves_the_wsgi_app_on_port_8000(self) -> None:
        command = dict(self.instructions())["CMD"]
        self.assertIn('"gunicorn", "budget_system.wsgi", "--bind", "0.0.0.0:8000"', command)

    def test_secrets_and_local_state_stay_out_of_the_image_and_of_git(self) -> None:
        dockerignore = read(".dockerignore").splitlines()
        for entry in (".env", ".git", ".venv", ".run", "db.sqlite3"):
            self.assertIn(entry, dockerignore)
        gitignore = read(".gitignore").splitlines()
        for entry in (".env", ".run/", "db.sqlite3"):
            self.assertIn(entry, gitignore)


class EnvExampleTests(SimpleTestCase):
    def test_secrets_are_left_empty_for_start_sh_to_fill(self) -> None:
        values = env_example()
        for key in SECRET_SETTINGS:
            with self.subTest(key=key):
                self.assertEqual(values[key], "")

    def test_a_plain_http_localhost_run_works_with_debug_off(self) -> None:
        values = env_example()
        self.assertEqual(values["DEBUG"], "0")
        for key in (
            "SECURE_SSL_REDIRECT",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SECURE_HSTS_SECONDS",
        ):
            self.assertEqual(values[key], "0", key)

    def test_every_setting_is_explained_by_a_comment(self) -> None:
        text = read(".env.example")
        self.assertGreater(text.count("\n#"), len(env_example()) // 2)


def bare_copy(*names: str) -> Path:
    """A temp folder holding only `names` from the project, so a script run there harms nothing."""
    folder = Path(tempfile.mkdtemp(prefix="start-sh-"))
    for name in names:
        shutil.copy2(BASE_DIR / name, folder / name)
    return folder


class StartScriptTests(SimpleTestCase):
    def test_bash_accepts_it(self) -> None:
        done = subprocess.run(["bash", "-n", "start.sh"], cwd=BASE_DIR, capture_output=True)
        self.assertEqual(done.returncode, 0, done.stderr)

    def test_it_is_executable_and_strict(self) -> None:
        self.assertTrue((BASE_DIR / "start.sh").stat().st_mode & stat.S_IXUSR)
        self.assertIn("set -o errexit -o nounset -o pipefail", read("start.sh"))

    def test_without_redis_it_says_how_to_install_it_and_changes_nothing(self) -> None:
        folder = bare_copy("start.sh", ".env.example", "requirements.txt")
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        # A PATH with bash and dirname only: no redis-server, no docker.
        bin_dir = folder / "bin"
        bin_dir.mkdir()
        for tool in ("bash", "dirname"):
            found = shutil.which(tool)
            assert found is not None
            (bin_dir / tool).symlink_to(found)
        env = {"PATH": str(bin_dir), "START_MODE": "local", "HOME": str(folder)}
        done = subprocess.run(
            ["bash", "start.sh"], cwd=folder, env=env, capture_output=True, text=True, timeout=60
        )
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("sudo apt-get install -y redis-server", done.stderr)
        self.assertIn("brew install redis", done.stderr)
        self.assertEqual(
            sorted(p.name for p in folder.iterdir()),
            [".env.example", "bin", "requirements.txt", "start.sh"],
        )

    def test_with_docker_it_writes_env_once_and_runs_compose(self) -> None:
        folder = bare_copy("start.sh", ".env.example")
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        # A stand-in docker CLI whose engine works: it records what it was asked to run.
        bin_dir = folder / "bin"
        bin_dir.mkdir()
        calls = folder / "docker-calls"
        fake = bin_dir / "docker"
        fake.write_text(f'#!/bin/sh\necho "$*" >> "{calls}"\n', encoding="utf-8")
        fake.chmod(0o755)
        env = {k: v for k, v in os.environ.items() if k not in SECRET_SETTINGS}
        env.update(PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", START_MODE="auto")
        runs = []
        for _ in range(2):
            done = subprocess.run(
                ["bash", "start.sh"],
                cwd=folder,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            runs.append((folder / ".env").read_text(encoding="utf-8"))
        self.assertEqual(runs[0], runs[1], "a second start must keep the secrets it wrote")
        values = dict(
            line.split("=", 1) for line in runs[0].splitlines() if re.match(r"\w+=", line)
        )
        # A key the app takes with DEBUG off (the rule of `check --deploy`).
        self.assertIsNone(secret_key_weakness(values["SECRET_KEY"]))
        self.assertGreaterEqual(len(values["POSTGRES_PASSWORD"]), 32)
        self.assertRegex(values["FLOWER_BASIC_AUTH"], r"^admin:[A-Za-z0-9]{24}$")
        self.assertEqual(values["DJANGO_SUPERUSER_PASSWORD"], "")
        self.assertEqual(stat.S_IMODE((folder / ".env").stat().st_mode), 0o600)
        self.assertEqual(calls.read_text().splitlines()[-1], "compose up --build")

    def test_an_unknown_mode_is_refused(self) -> None:
        folder = bare_copy("start.sh")
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        env = {**os.environ, "START_MODE": "cloud"}
        done = subprocess.run(
            ["bash", "start.sh"], cwd=folder, env=env, capture_output=True, text=True, timeout=60
        )
        self.assertEqual(done.returncode, 1)
        self.assertIn("START_MODE must be auto, docker or local", done.stderr)

    def test_the_windows_twin_knows_the_same_settings(self) -> None:
        # start.ps1 cannot run here (no PowerShell): it must at least honour the same names.
        for script in ("start.sh", "start.ps1"):
            text = read(script)
            for name in START_SETTINGS:
                with self.subTest(script=script, setting=name):
                    self.assertIn(name, text)
