"""A real headless Chromium for the admin's browser tests, with the admin's clock and zone.

Every page must load without a JavaScript error (console errors and page errors fail the test),
and screenshots go under test-artifacts/screenshots/ for a person to look at.
"""

import os
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from typing import ClassVar

import time_machine
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError


def ad_ops_group() -> str:
    """The "Ad ops" group as its migration makes it, made again when needed: a live-server test
    case flushes the database, and a flush brings back permissions but not the migration's rows."""
    group_migration = import_module("ads.migrations.0003_ad_ops_group")
    windows_migration = import_module("ads.migrations.0008_ad_ops_window_permissions")
    codenames = [*group_migration.PERMISSIONS, *windows_migration.PERMISSIONS]
    group, _ = Group.objects.get_or_create(name=group_migration.GROUP)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="ads", codename__in=codenames)
    )
    return group.name


# Tuesday 2030-01-15 23:30 in New York.
NOW = datetime(2030, 1, 16, 4, 30, tzinfo=UTC)
PASSWORD = "browser-test-password-1"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"


@time_machine.travel(NOW, tick=True)
class BrowserTestCase(StaticLiveServerTestCase):
    """A live server and a browser in New York, with a superuser "ops" signed in."""

    host = "127.0.0.1"
    playwright: ClassVar[Playwright]
    browser: ClassVar[Browser]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            headless=True,
            args=CHROMIUM_FLAGS,
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()

    def setUp(self) -> None:
        context = self.browser.new_context(
            viewport={"width": 1440, "height": 1000}, timezone_id="America/New_York"
        )
        self.addCleanup(context.close)
        self.page = context.new_page()
        self.page.set_default_timeout(15_000)
        self.console_errors: list[str] = []
        self.page.on("console", self.on_console)
        self.page.on("pageerror", self.on_page_error)
        self.sign_in()

    def sign_in(self) -> None:
        """Who the test is: a superuser "ops" unless a test case says otherwise."""
        User.objects.create_superuser("ops", "ops@example.com", PASSWORD)
        self.log_in("ops")

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{self.page.url}: {message.text} {message.location}")

    def on_page_error(self, error: PlaywrightError) -> None:
        self.console_errors.append(f"{self.page.url}: {error}")

    def tearDown(self) -> None:
        self.assertEqual(self.console_errors, [], "JavaScript errors in the admin")

    # Steps a person takes.

    def open(self, path: str) -> Page:
        self.page.goto(self.live_server_url + path)
        return self.page

    def save(self) -> None:
        self.page.click("input[name=_save]")

    def screenshot(self, name: str) -> None:
        self.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    def expect_message(self, text: str) -> None:
        expect(self.page.locator(".messagelist")).to_contain_text(text)

    def log_in(self, username: str) -> None:
        page = self.open("/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        expect(page.locator("#site-name")).to_have_text("Ad budgets")
