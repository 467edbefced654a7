"""A real SMTP server for tests: aiosmtpd on loopback, keeping every message it receives."""

from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller

from ads.tests.processes import free_port


class _Keep:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


class SmtpServer:
    """Listens on 127.0.0.1 at `port` (free, or one given: start it later where a test first
    found nothing listening)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._handler = _Keep()
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)

    @property
    def received(self) -> list[tuple[list[str], Message]]:
        return self._handler.received

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def settings(self) -> dict[str, Any]:
        """Django's settings that send through this server."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }
