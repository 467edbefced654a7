"""The campaign form saves the campaign, then its schedule: one edit, evaluated once."""

from datetime import UTC, datetime

import time_machine
from django.urls import reverse

from ads.models import Campaign, CampaignStatusChange
from ads.tests.admin.test_queries import SuperuserTestCase
from ads.tests.builders import make_brand

# A Wednesday, noon in UTC: 09:00-17:00 is open, 20:00-23:00 closed.
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class CampaignAddFormTests(SuperuserTestCase):
    def add(self, start: str, end: str) -> Campaign:
        """Add a campaign with a schedule through the admin's add form, as an operator would."""
        brand = make_brand("Acme", timezone="UTC")
        response = self.client.post(
            reverse("admin:ads_campaign_add"),
            {
                "brand": str(brand.pk),
                "name": "Evening",
                "is_enabled": "on",
                "dayparting_schedule-TOTAL_FORMS": "1",
                "dayparting_schedule-INITIAL_FORMS": "0",
                "dayparting_schedule-MIN_NUM_FORMS": "0",
                "dayparting_schedule-MAX_NUM_FORMS": "1",
                "dayparting_schedule-0-start_time": start,
                "dayparting_schedule-0-end_time": end,
                "dayparting_schedule-0-days_of_week": [str(day) for day in range(7)],
                "dayparting_schedule-0-timezone": "",
            },
        )
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        return Campaign.objects.get(name="Evening")

    def history(self, campaign: Campaign) -> list[bool]:
        changes = CampaignStatusChange.objects.filter(campaign=campaign).order_by("pk")
        return list(changes.values_list("is_active", flat=True))

    def test_a_campaign_created_with_its_window_closed_never_logs_serving(self) -> None:
        campaign = self.add("20:00", "23:00")

        self.assertTrue(hasattr(campaign, "dayparting_schedule"))
        self.assertFalse(campaign.is_active)
        self.assertEqual(self.history(campaign), [])

    def test_a_campaign_created_with_its_window_open_logs_serving_once(self) -> None:
        campaign = self.add("09:00", "17:00")

        self.assertTrue(campaign.is_active)
        self.assertEqual(self.history(campaign), [True])
