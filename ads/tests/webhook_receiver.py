"""A real webhook receiver on loopback for tests: an HTTP server on a thread of this process.

It checks each request as a receiver of docs/API.md would (the content type, and the
`Budget-Signature` HMAC with the endpoint's secret) and answers from a script: a status code
per request (200 once the script is used up), or HANG, which holds the request open until the
test ends. What it received is kept in order.
"""

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HANG = -1


@dataclass
class Received:
    """One request as the receiver saw it."""

    content_type: str
    signature_ok: bool
    document: dict[str, Any]


@dataclass
class Receiver:
    secret: str
    script: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                signature = self.headers.get("Budget-Signature", "")
                receiver.received.append(
                    Received(
                        content_type=self.headers.get("Content-Type", ""),
                        signature_ok=receiver.verify(signature, body),
                        document=json.loads(body),
                    )
                )
                status = receiver.script.pop(0) if receiver.script else 200
                receiver.entered.set()
                if status == HANG:
                    receiver.release.wait(60)
                    return
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/hooks"

    def verify(self, header: str, body: bytes) -> bool:
        """The receiver's check of docs/API.md: t and v1, HMAC-SHA256 of "<t>.<body>"."""
        parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        expected = hmac.new(
            self.secret.encode(), f"{parts.get('t', '')}.".encode() + body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(expected, parts.get("v1", ""))

    def types(self) -> list[str]:
        return [item.document["type"] for item in self.received]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
