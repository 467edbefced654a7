"""Hostile bodies are a 4xx in the API's error shape, never a 500, and record nothing."""

from ads.api.body import MAX_BODY_BYTES
from ads.models import SpendLog
from ads.tests.api.live import LiveApiCase


class HostileBodyTests(LiveApiCase):
    def test_each_hostile_body_is_refused(self) -> None:
        pk = self.campaign.pk
        bodies: dict[str, tuple[bytes | str, int]] = {
            "too large": (b"[" + b" " * MAX_BODY_BYTES + b"]", 413),
            "too deep": ("[" * 100_000 + "]" * 100_000, 400),
            "not JSON": ("campaign_id=1&amount=5", 400),
            "not UTF-8": (b'{"campaign_id": 1, "amount": "\xff"}', 400),
            "NaN": (f'{{"campaign_id": {pk}, "amount": NaN}}', 400),
            "huge integer": (f'{{"campaign_id": {pk}, "amount": {"9" * 5000}}}', 400),
            "wrong types": ('{"campaign_id": "1", "amount": ["5"], "description": 7}', 400),
            "a string": ('"spend"', 400),
            "an empty list": ("[]", 400),
            "over 1,000": (
                "[" + ",".join([f'{{"campaign_id": {pk}, "amount": 1}}'] * 1001) + "]",
                400,
            ),
            "nested object in a field": (
                f'{{"campaign_id": {pk}, "amount": {{"a": {{"b": 1}}}}}}',
                400,
            ),
            "empty": ("", 400),
        }
        for name, (body, status) in bodies.items():
            with self.subTest(name):
                self.assert_errors(self.call("POST", "/spend", data=body), status)
        self.assertFalse(SpendLog.objects.exists())

    def test_hostile_headers(self) -> None:
        body = f'{{"campaign_id": {self.campaign.pk}, "amount": 1}}'
        long_key = {"Idempotency-Key": "k" * 201}
        self.assert_errors(self.call("POST", "/spend", data=body, headers=long_key), 400)
        self.assert_errors(self.call("POST", "/spend", data=body, key="x" * 10_000), 401)
        self.assertFalse(SpendLog.objects.exists())
