"""The spend form takes what a person types and hands it to the service, whatever fields the
ledger's model gains (kind, reason, recorded_by): none of them is asked for or written."""

from django.urls import reverse

from ads.admin.forms import SpendLogForm
from ads.models import SpendLog
from ads.tests.admin.test_queries import SuperuserTestCase
from ads.tests.builders import make_campaign


class SpendFormTests(SuperuserTestCase):
    def test_a_spend_with_a_blank_timestamp_is_recorded_now(self) -> None:
        campaign = make_campaign()
        data = {
            "campaign": campaign.pk,
            "amount": "150.00",
            "description": "Late-night burst",
            "timestamp_0": "",
            "timestamp_1": "",
            "external_id": "",
        }
        response = self.client.post(reverse("admin:ads_spendlog_add"), data)
        self.assertEqual(response.status_code, 302)
        spend = SpendLog.objects.get()
        self.assertEqual((spend.amount, spend.kind), (150, SpendLog.Kind.SPEND))
        self.assertIsNotNone(spend.timestamp)

    def test_the_form_asks_only_for_what_a_person_types(self) -> None:
        self.assertEqual(
            list(SpendLogForm.base_fields),
            ["campaign", "amount", "timestamp", "description", "external_id"],
        )
