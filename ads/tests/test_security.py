"""Security: production settings pass Django's deploy checks, the app will not start without a
secret, the admin needs a login, containers run as a non-root user and no secret is committed.

The settings tests start `manage.py` in a subprocess with a production environment, because
settings are read once per process.
"""

import os
import re
import secrets
import subprocess
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from ads.models import Brand
from ads.tests.processes import start_manage

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

    def test_deploy_checks_do_catch_a_weak_setting(self) -> None:
        # The check above can fail: a short key and no HTTPS redirect are reported.
        env = production_env(SECRET_KEY="short-key", SECURE_SSL_REDIRECT="0")
        code, output = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
        self.assertNotEqual(code, 0)
        self.assertIn("security.W009", output)
        self.assertIn("security.W008", output)

    def test_the_app_refuses_to_start_without_a_secret_key_when_debug_is_off(self) -> None:
        code, output = manage("check", env=production_env(SECRET_KEY=""))
        self.assertNotEqual(code, 0)
        self.assertIn("SECRET_KEY must be set when DEBUG is off", output)


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
