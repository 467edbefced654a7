"""Each endpoint through the running app: what is recorded, what is answered, what is refused."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from ads.models import SpendLog
from ads.services.api_keys import create_key, revoke_keys
from ads.tests.api.live import LiveApiCase
from ads.tests.builders import totals


class AuthTests(LiveApiCase):
    def test_missing_wrong_and_revoked_keys_get_401(self) -> None:
        made = create_key("old", scopes=["ingest"])
        revoke_keys([made.api_key])
        for key in (None, "bsk_wrong", self.key + "x", made.key):
            with self.subTest(key=key):
                response = self.call("GET", f"/brands/{self.brand.pk}", key=key)
                self.assert_errors(response, 401)

    def test_a_key_without_the_scope_gets_403_and_nothing_is_recorded(self) -> None:
        reader = create_key("reader", scopes=["read"]).key
        body = {"campaign_id": self.campaign.pk, "amount": "5.00"}
        self.assert_errors(self.call("POST", "/spend", json=body, key=reader), 403)
        writer = create_key("writer", scopes=["ingest"]).key
        self.assert_errors(self.call("GET", f"/brands/{self.brand.pk}", key=writer), 403)
        self.assertFalse(SpendLog.objects.exists())


class SpendTests(LiveApiCase):
    def test_one_spend_is_recorded_once_by_external_id(self) -> None:
        body = {"campaign_id": self.campaign.pk, "amount": "12.50", "external_id": "g-1"}
        first = self.call("POST", "/spend", json=body)
        self.assertEqual(first.status_code, 201, first.text)
        self.assertEqual(first.json(), {"id": SpendLog.objects.get().pk, "created": True})
        again = self.call("POST", "/spend", json=body)
        self.assertEqual(again.json(), {"id": first.json()["id"], "created": False})
        self.assertEqual(totals(self.brand), (Decimal("12.50"), Decimal("12.50")))

    def test_a_batch_answers_one_result_per_entry_in_order(self) -> None:
        at = (timezone.now() - timedelta(minutes=5)).isoformat()
        body = [
            {"campaign_id": self.campaign.pk, "amount": 3, "timestamp": at},
            {"campaign_id": self.campaign.pk, "amount": "2.25", "description": "search"},
        ]
        response = self.call("POST", "/spend", json=body)
        self.assertEqual(response.status_code, 201, response.text)
        ids = [row["id"] for row in response.json()]
        self.assertEqual(
            list(
                SpendLog.objects.filter(pk__in=ids).order_by("pk").values_list("amount", flat=True)
            ),
            [Decimal("3.00"), Decimal("2.25")],
        )
        self.assertEqual(totals(self.brand)[0], Decimal("5.25"))

    def test_a_spend_over_budget_pauses_the_campaign(self) -> None:
        self.call("POST", "/spend", json={"campaign_id": self.campaign.pk, "amount": "100"})
        state = self.call("GET", f"/campaigns/{self.campaign.pk}").json()
        self.assertFalse(state["is_active"])
        self.assertEqual(state["reasons"], ["Daily budget exceeded"])
        # The next local midnight (UTC brand), RFC 3339 with its offset.
        resumes = datetime.fromisoformat(state["resumes_at"])
        self.assertEqual(resumes.utcoffset(), timedelta(0))
        self.assertEqual(
            (resumes.date(), resumes.time()), (self.brand.spend_day + timedelta(days=1), time(0))
        )

    def test_bad_entries_are_named_by_index_and_field_and_nothing_is_recorded(self) -> None:
        body = [
            {"campaign_id": self.campaign.pk, "amount": "1.00"},
            {"campaign_id": self.campaign.pk, "amount": 12.5},
            {"campaign_id": self.campaign.pk, "amount": "1e3", "colour": "red"},
            {"campaign_id": self.campaign.pk, "amount": "1.00", "timestamp": "2026-03-18T12:00"},
        ]
        errors = self.assert_errors(self.call("POST", "/spend", json=body), 400)
        named = {(error["entry"], error["field"]) for error in errors}
        self.assertEqual(named, {(1, "amount"), (2, "amount"), (2, "colour"), (3, "timestamp")})
        self.assertIn("fraction", next(e["message"] for e in errors if e["entry"] == 1))
        self.assertFalse(SpendLog.objects.exists())

    def test_an_unknown_campaign_is_a_400_naming_it(self) -> None:
        body = [
            {"campaign_id": self.campaign.pk, "amount": "1"},
            {"campaign_id": 999999, "amount": "1"},
        ]
        errors = self.assert_errors(self.call("POST", "/spend", json=body), 400)
        self.assertEqual([(e["entry"], e["field"]) for e in errors], [(1, "campaign_id")])
        single = self.call("POST", "/spend", json={"campaign_id": 999999, "amount": "1"})
        self.assertEqual(
            [(e["entry"], e["field"]) for e in self.assert_errors(single, 400)],
            [(None, "campaign_id")],
        )
        self.assertFalse(SpendLog.objects.exists())

    def test_floats_are_refused_even_whole_ones(self) -> None:
        for number in ("5.0", "5e0"):
            raw = f'{{"campaign_id": {self.campaign.pk}, "amount": {number}}}'
            response = self.call("POST", "/spend", data=raw)
            errors = self.assert_errors(response, 400)
            self.assertEqual([(e["entry"], e["field"]) for e in errors], [(None, "amount")])
        self.assertFalse(SpendLog.objects.exists())


class ReportAndAdjustmentTests(LiveApiCase):
    def test_a_report_appends_its_entry_then_agrees(self) -> None:
        self.call("POST", "/spend", json={"campaign_id": self.campaign.pk, "amount": "10"})
        day = self.brand.spend_day.isoformat()
        body = {
            "campaign_id": self.campaign.pk,
            "day": day,
            "total": "12.00",
            "source": "google_ads",
        }
        first = self.call("POST", "/reported-spend", json=body)
        self.assertEqual(first.status_code, 201, first.text)
        self.assertEqual((first.json()["kind"], first.json()["amount"]), ("report", "2.00"))
        again = self.call("POST", "/reported-spend", json=body)
        self.assertEqual((again.status_code, again.json()), (200, {"created": False}))
        self.assertEqual(totals(self.brand)[0], Decimal("12.00"))

    def test_a_credit_is_recorded_and_a_credit_beyond_the_day_is_refused(self) -> None:
        self.call("POST", "/spend", json={"campaign_id": self.campaign.pk, "amount": "10"})
        body = {"campaign_id": self.campaign.pk, "amount": "-4.00", "reason": "invalid clicks"}
        credit = self.call("POST", "/adjustments", json=body)
        self.assertEqual(credit.status_code, 201, credit.text)
        self.assertEqual((credit.json()["kind"], credit.json()["amount"]), ("credit", "-4.00"))
        too_much = {**body, "amount": "-7.00"}
        errors = self.assert_errors(self.call("POST", "/adjustments", json=too_much), 400)
        self.assertEqual([e["field"] for e in errors], ["amount"])
        self.assertEqual(totals(self.brand)[0], Decimal("6.00"))
        missing = self.call("POST", "/adjustments", json={"campaign_id": self.campaign.pk})
        fields = {e["field"] for e in self.assert_errors(missing, 400)}
        self.assertEqual(fields, {"amount", "reason"})


class ReadTests(LiveApiCase):
    def test_the_brand_summary_has_decimals_as_strings(self) -> None:
        self.call("POST", "/spend", json={"campaign_id": self.campaign.pk, "amount": "7.10"})
        summary = self.call("GET", f"/brands/{self.brand.pk}").json()
        self.assertEqual(summary["id"], self.brand.pk)
        self.assertEqual(summary["current_daily_spend"], "7.10")
        self.assertEqual(summary["daily_budget"], "100.00")
        self.assertEqual(summary["day"], self.brand.spend_day.isoformat())

    def test_a_campaign_state(self) -> None:
        state = self.call("GET", f"/campaigns/{self.campaign.pk}").json()
        self.assertEqual(
            {k: state[k] for k in ("id", "brand_id", "is_enabled", "is_active", "reasons")},
            {
                "id": self.campaign.pk,
                "brand_id": self.brand.pk,
                "is_enabled": True,
                "is_active": True,
                "reasons": [],
            },
        )
        self.assertIsNone(state["resumes_at"])

    def test_unknown_and_malformed_ids(self) -> None:
        self.assert_errors(self.call("GET", "/brands/999999"), 404)
        self.assert_errors(self.call("GET", f"/campaigns/{10**30}"), 404)
        self.assert_errors(self.call("GET", "/campaigns/abc"), 400)

    def test_openapi_and_docs_are_served_without_a_cdn(self) -> None:
        schema = self.call("GET", "/openapi.json", key=None).json()
        self.assertEqual(
            set(schema["paths"]),
            {
                f"/api/v1{p}"
                for p in (
                    "/spend",
                    "/adjustments",
                    "/reported-spend",
                    "/brands/{brand_id}",
                    "/campaigns/{campaign_id}",
                )
            },
        )
        docs = self.call("GET", "/docs", key=None)
        self.assertEqual(docs.status_code, 200)
        self.assertNotIn("cdn", docs.text.lower())
        self.assertIn("swagger-ui-bundle.js", docs.text)
