"""Security: production settings pass Django's deploy checks, the app will not start without a
secret, the admin needs a login, containers run as a non-root user and no secret is committed.

The settings tests start `manage.py` in a subprocess with a production environment, because
settings are read once per process.
"""

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.checks.security.base import check_secret_key
from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from dotenv import dotenv_values

import budget_system.settings as settings_module
from ads.models import Brand
from ads.tests.processes import copy_working_tree, start_manage

BASE_DIR = Path(settings.BASE_DIR)


def production_env(**overrides: str) -> dict[str, str]:
    """This environment as production would have it: the test-only async switch removed."""
    env = dict(os.environ)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="ads.example.com",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> tuple[int, str]:
    child = start_manage(*args, env=env)
    try:
        code = child.wait(timeout=60)
        return code, child.stdout() + child.stderr()
    finally:
        child.close()


class ProductionSettingsTests(SimpleTestCase):
    def test_deploy_checks_report_no_issue_with_production_settings(self) -> None:
        code, output = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
        self.assertEqual(code, 0, output)
        self.assertIn("System check identified no issues", output)

    def test_the_app_refuses_to_start_with_a_key_check_deploy_would_flag(self) -> None:
        # Short, "changeme", the development fallback, test.sh's published key, too few
        # different characters, Django's own sample prefix: none starts the app in production.
        weak = {
            "short": "short-key",
            "changeme": "changeme",
            "development fallback": settings_module.DEVELOPMENT_SECRET_KEY,
            "test.sh's key": script_value("test.sh", "SECRET_KEY"),
            "49 characters": secrets.token_hex(32)[:49],
            "4 different characters": "abcd" * 20,
            "django-insecure- prefix": "django-insecure-" + secrets.token_urlsafe(50),
        }
        for name, key in weak.items():
            with self.subTest(name):
                code, output = manage("check", "--deploy", env=production_env(SECRET_KEY=key))
                self.assertNotEqual(code, 0, output)
                self.assertIn("ImproperlyConfigured: SECRET_KEY is too weak for DEBUG off", output)
                self.assertIn("secrets.token_urlsafe(50)", output)
                self.assertNotIn("System check identified", output)

    def test_deploy_checks_still_catch_weak_settings_with_a_strong_key(self) -> None:
        # The refusal above does not stand in for the deploy checks: they still run, and fail.
        env = production_env(
            SECURE_SSL_REDIRECT="0",
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            SECURE_HSTS_SECONDS="0",
        )
        code, output = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
        self.assertNotEqual(code, 0)
        for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
            self.assertIn(warning, output)
        self.assertNotIn("security.W009", output)

    def test_the_refusal_uses_the_rule_of_check_deploy(self) -> None:
        """Every key Django's W009 would flag is refused, every key it passes is taken, apart
        from the keys published in the repository, which it cannot know."""
        samples = [
            "",
            "x" * 60,
            "abcd" * 15,
            "abcde" * 10,
            "abcde" * 10 + "f",
            secrets.token_hex(25)[:49],
            secrets.token_hex(25),
            "django-insecure-" + secrets.token_urlsafe(50),
            secrets.token_urlsafe(50),
        ]
        for key in samples:
            with self.subTest(key=key), self.settings(SECRET_KEY=key):
                refused = settings_module.secret_key_weakness(key) is not None
                self.assertEqual(refused, bool(check_secret_key(None)))
        for key in settings_module.PUBLISHED_SECRET_KEYS:
            self.assertIsNotNone(settings_module.secret_key_weakness(key))

    def test_a_weak_key_still_works_with_debug_on(self) -> None:
        # test.sh runs the suite with DEBUG=1 and its published key; development keeps working.
        for key in (script_value("test.sh", "SECRET_KEY"), "short", ""):
            with self.subTest(key=key):
                code, output = manage("check", env=production_env(DEBUG="1", SECRET_KEY=key))
                self.assertEqual(code, 0, output)

    def test_bench_sh_makes_a_fresh_strong_key_for_debug_off(self) -> None:
        # bench.sh runs the benchmark with DEBUG=0: unless given a key it makes one per run.
        line = next(
            line
            for line in (BASE_DIR / "bench.sh").read_text(encoding="utf-8").splitlines()
            if line.startswith("SECRET_KEY=")
        )
        keys = []
        for _ in range(2):
            run = subprocess.run(
                ["bash", "-c", f'{line}; printf %s "$SECRET_KEY"'],
                cwd=BASE_DIR,
                env={k: v for k, v in os.environ.items() if k != "SECRET_KEY"},
                capture_output=True,
                text=True,
                check=True,
            )
            keys.append(run.stdout)
        self.assertNotEqual(keys[0], keys[1])
        code, output = manage("check", env=production_env(SECRET_KEY=keys[0]))
        self.assertEqual(code, 0, output)

    def test_the_app_refuses_to_start_without_a_secret_key_when_debug_is_off(self) -> None:
        code, output = manage("check", env=production_env(SECRET_KEY=""))
        self.assertNotEqual(code, 0)
        self.assertIn("SECRET_KEY must be set when DEBUG is off", output)


class MissingSecretKeyHintTests(SimpleTestCase):
    """The hint printed without a SECRET_KEY is a command that works, run as printed, in a fresh
    copy of the project: with no .env, and with .env copied from .env.example (its key empty)."""

    def test_the_printed_command_gives_a_key_that_starts_the_app(self) -> None:
        for copy_sample_first in (False, True):
            with self.subTest(env_file_from_sample=copy_sample_first):
                project = Path(tempfile.mkdtemp(prefix="secret-hint-"))
                self.addCleanup(shutil.rmtree, project, ignore_errors=True)
                copy_working_tree(project)
                if copy_sample_first:
                    shutil.copy2(project / ".env.example", project / ".env")
                env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}

                code, output = check_in(project, env)
                self.assertNotEqual(code, 0)
                command = hint_command(output)
                subprocess.run(["bash", "-c", command], cwd=project, check=True, timeout=60)

                code, output = check_in(project, env)
                self.assertEqual(code, 0, output)
                values = dotenv_values(project / ".env")
                self.assertIsNone(settings_module.secret_key_weakness(values["SECRET_KEY"] or ""))
                # The sample's plain-HTTP localhost settings came along.
                self.assertEqual(values["SECURE_SSL_REDIRECT"], "0")


def check_in(project: Path, env: dict[str, str]) -> tuple[int, str]:
    """`manage.py check` in the copy `project`, reading its own .env."""
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout + done.stderr


def hint_command(output: str) -> str:
    """The command on the line after "run:" in the missing-key message."""
    lines = output.splitlines()
    for number, line in enumerate(lines):
        if "SECRET_KEY must be set when DEBUG is off" in line and line.endswith("run:"):
            return lines[number + 1].strip()
    raise AssertionError(f"no command in:\n{output}")


def script_value(script: str, name: str) -> str:
    """The value a shell script in the project exports as `name` (`export NAME=value`, or the
    fallback of `export NAME="${NAME:-value}"`)."""
    text = (BASE_DIR / script).read_text(encoding="utf-8")
    match = re.search(rf'^export {name}="?(?:\$\{{{name}:-)?([^"}}\s]+)', text, re.MULTILINE)
    assert match is not None, f"{script} exports no {name}"
    return match.group(1)


class AdminLoginTests(TestCase):
    def test_every_admin_page_sends_a_stranger_to_the_login_page(self) -> None:
        brand = Brand.objects.create(
            name="Acme", daily_budget=Decimal(1), monthly_budget=Decimal(1)
        )
        for url in (
            reverse("admin:index"),
            reverse("admin:ads_brand_changelist"),
            reverse("admin:ads_brand_change", args=[brand.pk]),
            reverse("admin:ads_spendlog_changelist"),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertEqual(response["Location"], f"{reverse('admin:login')}?next={url}")

    def test_a_stranger_cannot_write_through_the_admin(self) -> None:
        response = self.client.post(
            reverse("admin:ads_brand_add"),
            {"name": "Intruder", "daily_budget": "1", "monthly_budget": "1", "timezone": "UTC"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Brand.objects.filter(name="Intruder").exists())

    def test_a_signed_in_user_who_is_not_staff_is_refused_too(self) -> None:
        self.client.force_login(User.objects.create_user("clerk", password="not-a-real-one"))
        response = self.client.get(reverse("admin:ads_brand_changelist"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("admin:login")))


class ContainerUserTests(SimpleTestCase):
    def test_the_image_and_every_compose_service_run_as_a_non_root_user(self) -> None:
        lines = (BASE_DIR / "Dockerfile").read_text(encoding="utf-8").splitlines()
        users = [line.split(None, 1)[1].strip() for line in lines if re.match(r"USER\s", line)]
        self.assertTrue(users, "the Dockerfile has no USER instruction: it would run as root")
        self.assertNotIn(users[-1].split(":")[0], {"root", "0"})
        # No compose service switches back to root.
        compose = (BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8")
        self.assertIsNone(re.search(r"^\s*user:\s*[\"']?(root|0)\b", compose, re.MULTILINE))


# High-signal patterns only: a match is a leak, not a style question.
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "literal SECRET_KEY": re.compile(r"""SECRET_KEY\s*[=:]\s*["']?([^\s"'$]{50,})"""),
}
# A key that says it is not one, such as test.sh's throwaway key, is not a leak.
NOT_A_SECRET = re.compile(r"(?:^|[-_])(?:insecure|test|example|dev|changeme)(?:[-_]|$)", re.I)


def leaks(text: str) -> list[str]:
    found = []
    for kind, pattern in SECRET_PATTERNS.items():
        for match in pattern.finditer(text):
            if kind == "literal SECRET_KEY" and NOT_A_SECRET.search(match.group(1)):
                continue
            found.append(kind)
    return found


def committed_files() -> list[Path]:
    """Every file in git except this test package, whose samples are planted on purpose."""
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=BASE_DIR, capture_output=True, check=True
    ).stdout.decode()
    return [
        BASE_DIR / name for name in names.split("\0") if name and not name.startswith("ads/tests/")
    ]


class CommittedSecretsTests(SimpleTestCase):
    def test_no_committed_file_holds_a_secret(self) -> None:
        found = []
        for path in committed_files():
            name = str(path.relative_to(BASE_DIR))
            if path.name == ".env" or path.suffix in {".pem", ".key"}:
                found.append(f"{name}: a secrets file")
            elif path.is_file():
                found += [f"{name}: {kind}" for kind in leaks(path.read_text(errors="ignore"))]
        self.assertEqual(found, [])

    def test_the_scan_finds_planted_secrets(self) -> None:
        samples = {
            "literal SECRET_KEY": f"SECRET_KEY = '{secrets.token_hex(32)}'",
            "AWS access key": "aws_access_key_id = AKIA" + "Q" * 16,
            "private key": "-----BEGIN RSA " + "PRIVATE KEY-----",
        }
        for kind, text in samples.items():
            with self.subTest(kind):
                self.assertEqual(leaks(text), [kind])
        self.assertEqual(leaks("export SECRET_KEY=test-only-" + "0" * 50), [])
