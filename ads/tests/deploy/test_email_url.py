"""EMAIL_URL, the outgoing mail server as one URL: each form an operator writes becomes the
EMAIL_* settings Django's mail backends read, and a URL that cannot work stops the process at
start with a message naming EMAIL_URL (not a worker failing at its first alert email)."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from budget_system.email_url import EmailSettings, parse_email_url

SMTP = "django.core.mail.backends.smtp.EmailBackend"


class ParseEmailUrlTests(SimpleTestCase):
    def test_smtp_with_user_password_port_and_starttls(self) -> None:
        parsed = parse_email_url("smtp://alerts:s3cret@mail.example.com:587?tls=1")

        self.assertEqual(
            parsed,
            EmailSettings(
                backend=SMTP,
                host="mail.example.com",
                port=587,
                host_user="alerts",
                host_password="s3cret",
                use_tls=True,
                use_ssl=False,
            ),
        )

    def test_smtp_without_options_is_plain_on_port_25(self) -> None:
        parsed = parse_email_url("smtp://mail.example.com")

        self.assertEqual((parsed.port, parsed.use_tls, parsed.use_ssl), (25, False, False))
        self.assertEqual((parsed.host_user, parsed.host_password), ("", ""))

    def test_smtps_and_ssl_are_tls_from_the_start(self) -> None:
        smtps = parse_email_url("smtps://alerts:pw@mail.example.com")
        ssl = parse_email_url("smtp://mail.example.com:2465?ssl=true")

        self.assertEqual(
            (smtps.backend, smtps.port, smtps.use_ssl, smtps.use_tls), (SMTP, 465, True, False)
        )
        self.assertEqual((ssl.port, ssl.use_ssl, ssl.use_tls), (2465, True, False))

    def test_console_and_memory_backends(self) -> None:
        cases = {
            "console://": "django.core.mail.backends.console.EmailBackend",
            "memory://": "django.core.mail.backends.locmem.EmailBackend",
        }
        for url, backend in cases.items():
            with self.subTest(url=url):
                self.assertEqual(parse_email_url(url).backend, backend)

    def test_a_percent_encoded_user_and_password_are_decoded(self) -> None:
        parsed = parse_email_url(
            "smtp://alerts%40example.com:p%40ss%3Aw%2Frd%25+@mail.example.com:587"
        )

        self.assertEqual(parsed.host_user, "alerts@example.com")
        self.assertEqual(parsed.host_password, "p@ss:w/rd%+")

    def test_a_scheme_not_listed_is_refused_naming_the_choices(self) -> None:
        for url, named in (
            ("ftp://mail.example.com", "ftp://"),
            ("mail.example.com", "nothing://"),
        ):
            with self.subTest(url=url):
                with self.assertRaises(ValueError) as raised:
                    parse_email_url(url)
                message = str(raised.exception)
                self.assertIn("EMAIL_URL must start with one of", message)
                self.assertIn("console, memory, smtp, smtps://", message)
                self.assertIn(f"not {named}", message)

    def test_starttls_and_tls_from_the_start_together_are_refused(self) -> None:
        for url in ("smtps://mail.example.com?tls=1", "smtp://mail.example.com?tls=1&ssl=1"):
            with self.subTest(url=url), self.assertRaisesMessage(ValueError, "choose one"):
                parse_email_url(url)


def manage_shell(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`manage.py shell -c code` in a fresh process, whose settings read `env`."""
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=Path(settings.BASE_DIR),
        env={**os.environ, "DEBUG": "1", "SECRET_KEY": "x" * 60, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class EmailUrlSettingsTests(SimpleTestCase):
    """Settings are read once per process, so these start one."""

    def test_the_url_becomes_the_settings_the_smtp_backend_uses(self) -> None:
        code = (
            "from django.core.mail import get_connection; c = get_connection(); "
            "print(type(c).__name__, c.host, c.port, c.username, c.password, c.use_tls, c.use_ssl)"
        )
        run = manage_shell(code, EMAIL_URL="smtp://alerts:p%40ss@mail.example.com:587?tls=1")

        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(
            run.stdout.split(),
            ["EmailBackend", "mail.example.com", "587", "alerts", "p@ss", "True", "False"],
        )

    def test_a_bad_url_stops_the_process_with_the_reason(self) -> None:
        run = manage_shell("print('started')", EMAIL_URL="smtp+tls://mail.example.com")

        self.assertNotEqual(run.returncode, 0)
        self.assertNotIn("started", run.stdout)
        self.assertIn("EMAIL_URL must start with one of", run.stderr)
