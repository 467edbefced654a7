"""The ledger's admin: a credit or charge recorded with its reason and who, each entry's kind,
reason and recorder shown; the add-spend form records who too."""

from decimal import Decimal
from typing import Any

import time_machine
from django.urls import reverse

from ads.models import SpendLog
from ads.services import BudgetService
from ads.tests.admin.test_queries import SuperuserTestCase
from ads.tests.builders import is_active, make_brand, make_campaign, totals, utc

NOW = utc("2026-03-18T12:00:00")
URL = "admin:ads_spendlog_adjustment"


@time_machine.travel(NOW, tick=False)
class AdjustmentAdminTests(SuperuserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.brand = make_brand(daily="100.00")
        self.campaign = make_campaign(self.brand)
        BudgetService.record_spend(self.campaign, "100.00")

    def post(self, **values: str) -> Any:
        data = {"campaign": str(self.campaign.pk), "timestamp_0": "", "timestamp_1": ""}
        return self.client.post(reverse(URL), {**data, **values})

    def test_the_credit_form_records_it_with_its_reason_and_who(self) -> None:
        self.assertContains(self.client.get(reverse(URL)), "Record a credit or charge")
        response = self.post(amount="-40.00", reason="Invalid clicks on 18 March")
        self.assertRedirects(response, reverse("admin:ads_spendlog_changelist"))
        credit = SpendLog.objects.get(kind=SpendLog.Kind.CREDIT)
        self.assertEqual(
            (credit.amount, credit.reason, credit.recorded_by),
            (Decimal("-40.00"), "Invalid clicks on 18 March", "root"),
        )
        self.assertEqual(totals(self.brand), (Decimal("60.00"), Decimal("60.00")))
        self.assertTrue(is_active(self.campaign))

    def test_a_refused_credit_shows_why_and_records_nothing(self) -> None:
        for values, text in (
            ({"amount": "-100.01", "reason": "Too much"}, "more than the campaign&#x27;s spend"),
            ({"amount": "0", "reason": "Nothing"}, "must not be 0"),
            ({"amount": "-1.00", "reason": ""}, "This field is required"),
        ):
            with self.subTest(values=values):
                response = self.post(**values)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, text)
        self.assertEqual(SpendLog.objects.count(), 1)

    def test_the_list_and_the_entry_show_kind_reason_and_who(self) -> None:
        BudgetService.record_adjustment(self.campaign, "-5.00", "Make-good", recorded_by="alice")
        page = self.client.get(reverse("admin:ads_spendlog_changelist"))
        for text in ("Credit", "Make-good", "alice", "Record a credit or charge"):
            self.assertContains(page, text)
        credit = SpendLog.objects.get(kind=SpendLog.Kind.CREDIT)
        entry = self.client.get(reverse("admin:ads_spendlog_change", args=[credit.pk]))
        for text in ("Credit", "Make-good", "alice"):
            self.assertContains(entry, text)

    def test_the_add_spend_form_records_who(self) -> None:
        data = {
            "campaign": self.campaign.pk,
            "amount": "1.00",
            "timestamp_0": "",
            "timestamp_1": "",
        }
        self.client.post(reverse("admin:ads_spendlog_add"), data)
        self.assertEqual(SpendLog.objects.latest("id").recorded_by, "root")
