"""Idempotency-Key: the first response replayed for 24 hours; another body under it is a 422."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from ads.models import SpendLog
from ads.services.api_keys import create_key
from ads.tests.api.live import LiveApiCase


class IdempotencyTests(LiveApiCase):
    def body(self, amount: str) -> dict[str, object]:
        return {"campaign_id": self.campaign.pk, "amount": amount}

    def test_the_first_response_is_replayed_and_counted_once(self) -> None:
        headers = {"Idempotency-Key": "batch-1"}
        first = self.call("POST", "/spend", json=self.body("5"), headers=headers)
        again = self.call("POST", "/spend", json=self.body("5"), headers=headers)
        self.assertEqual((again.status_code, again.json()), (201, first.json()))
        self.assertEqual(again.headers["Idempotent-Replayed"], "true")
        self.assertEqual(SpendLog.objects.count(), 1)

    def test_another_body_under_the_same_key_is_a_422(self) -> None:
        headers = {"Idempotency-Key": "batch-2"}
        self.call("POST", "/spend", json=self.body("5"), headers=headers)
        other = self.call("POST", "/spend", json=self.body("6"), headers=headers)
        self.assert_errors(other, 422)
        self.assertEqual(SpendLog.objects.count(), 1)

    def test_a_4xx_is_replayed_too(self) -> None:
        headers = {"Idempotency-Key": "bad-1"}
        first = self.call("POST", "/spend", json=self.body("-5"), headers=headers)
        self.assert_errors(first, 400)
        again = self.call("POST", "/spend", json=self.body("-5"), headers=headers)
        self.assertEqual((again.status_code, again.json()), (400, first.json()))

    def test_keys_are_per_api_key_and_kept_24_hours(self) -> None:
        headers = {"Idempotency-Key": "shared"}
        self.call("POST", "/spend", json=self.body("5"), headers=headers)
        other_key = create_key("other", scopes=["ingest"]).key
        other = self.call("POST", "/spend", json=self.body("6"), headers=headers, key=other_key)
        self.assertEqual(other.status_code, 201, other.text)
        with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1), tick=False):
            later = self.call("POST", "/spend", json=self.body("7"), headers=headers)
        self.assertEqual(later.status_code, 201, later.text)
        self.assertEqual(SpendLog.objects.count(), 3)
