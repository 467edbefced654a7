"""The API through a running server: Django's live server thread and a real HTTP client."""

from typing import Any

import requests
from django.test import LiveServerTestCase

from ads.models import Campaign
from ads.services.api_keys import create_key
from ads.tests.builders import make_brand, make_campaign


class LiveApiCase(LiveServerTestCase):
    """A brand with a campaign, a key with both scopes, and `call` to send a request."""

    def setUp(self) -> None:
        self.brand = make_brand(daily="100.00", monthly="1000.00")
        self.campaign: Campaign = make_campaign(self.brand)
        self.key = create_key("connector", scopes=["ingest", "read"]).key
        self.http = requests.Session()
        self.addCleanup(self.http.close)

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: bytes | str | None = None,
        key: str | None = "",
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        sent = dict(headers or {})
        if key is not None:
            sent["Authorization"] = f"Bearer {key or self.key}"
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
        return self.http.request(
            method,
            f"{self.live_server_url}/api/v1{path}",
            json=json,
            data=data,
            headers=sent,
            timeout=30,
        )

    def assert_errors(self, response: requests.Response, status: int) -> list[dict[str, Any]]:
        """The response is `status` with the API's error shape; its errors."""
        self.assertEqual(response.status_code, status, response.text)
        errors: list[dict[str, Any]] = response.json()["errors"]
        self.assertTrue(errors)
        for error in errors:
            self.assertEqual(set(error), {"entry", "field", "message"})
        return errors
