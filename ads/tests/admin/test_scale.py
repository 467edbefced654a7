"""The admin with more brands and campaigns than PostgreSQL takes entries in one SELECT list.

1,700 brands of one campaign each (past the 1,664 target-list entries a "Show counts" of one
link per brand or campaign needed): every list answers with counts, nothing lists every brand
or campaign, and brands and campaigns are picked by searching. Sizes are bytes of HTML, not
times: how fast the pages are at 10,000 brands is in docs/BENCHMARKS.md (`manage.py bench
--workload admin`).
"""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import time_machine
from django.urls import reverse

from ads.models import Brand, Campaign, CampaignStatusChange, SpendLog, TotalsCorrection
from ads.tests.admin.test_queries import SuperuserTestCase, list_url
from bench.data import add_brands

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
BRANDS = 1_700
LISTS = ("brand", "campaign", "spendlog", "campaignstatuschange", "totalscorrection")
# A brand and a campaign far down any list: shown only when picked.
FAR_BRAND = "bench-brand-001234"
MAX_PAGE_BYTES = 200_000


@time_machine.travel(NOW, tick=False)
class AgencyScaleAdminTests(SuperuserTestCase):
    brand: Brand
    campaign: Campaign

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        add_brands(0, BRANDS, 1)
        TotalsCorrection.objects.bulk_create(
            TotalsCorrection(
                brand=brand,
                day=NOW.date(),
                daily_before=Decimal("0"),
                daily_after=Decimal("1.00"),
                monthly_before=Decimal("0"),
                monthly_after=Decimal("1.00"),
            )
            for brand in Brand.objects.all()
        )
        CampaignStatusChange.objects.bulk_create(
            CampaignStatusChange(campaign=campaign, is_active=True, cause="operator")
            for campaign in Campaign.objects.all()
        )
        cls.brand = Brand.objects.get(name=FAR_BRAND)
        cls.campaign = cls.brand.campaigns.get()

    def get(self, url: str, **query: Any) -> str:
        response = self.client.get(url, query)
        self.assertEqual(response.status_code, 200, url)
        return response.content.decode()

    def test_show_counts_answers_on_every_list(self) -> None:
        for model in LISTS:
            with self.subTest(model=model):
                self.get(list_url(model), _facets="True")

    def test_show_counts_counts_the_blocking_reasons(self) -> None:
        # One brand in 20 is over its daily budget (bench.data).
        page = self.get(list_url("campaign"), _facets="True")

        self.assertIn("Daily budget exceeded (85)", page)
        self.assertIn("Monthly budget exceeded (0)", page)

    def test_no_page_lists_every_brand_or_campaign(self) -> None:
        for url in (
            *(list_url(model) for model in LISTS),
            reverse("admin:ads_spendlog_add"),
            reverse("admin:ads_campaign_add"),
        ):
            with self.subTest(url=url):
                page = self.get(url)
                self.assertNotIn(FAR_BRAND, page)
                self.assertLess(len(page.encode()), MAX_PAGE_BYTES)

    def test_the_blocking_reason_filter_comes_before_the_brand_picker(self) -> None:
        page = self.get(list_url("campaign"))

        self.assertLess(page.index("By blocking reason"), page.index("By brand"))

    def test_the_spend_form_searches_campaigns_by_brand_and_name(self) -> None:
        form = self.get(reverse("admin:ads_spendlog_add"))
        found = self.client.get(
            reverse("admin:ads_campaign_search"),
            {
                "term": f"{FAR_BRAND} campaign-0",
                "app_label": "ads",
                "model_name": "spendlog",
                "field_name": "campaign",
            },
        ).json()

        self.assertIn('data-ajax--url="/admin/ads/campaign/search/"', form)
        self.assertEqual(
            found["results"],
            [{"id": str(self.campaign.pk), "text": f"{FAR_BRAND} / campaign-0"}],
        )

    def test_a_spend_recorded_with_the_picker_is_counted(self) -> None:
        response = self.client.post(
            reverse("admin:ads_spendlog_add"), {"campaign": self.campaign.pk, "amount": "2.00"}
        )

        self.assertEqual(response.status_code, 302)
        self.assertTrue(SpendLog.objects.filter(campaign=self.campaign, amount=2).exists())

    def test_a_picked_brand_or_campaign_filters_and_is_shown(self) -> None:
        cases = {
            "campaign": {"brand__id__exact": self.brand.pk},
            "spendlog": {"campaign__brand__id__exact": self.brand.pk},
            "campaignstatuschange": {"campaign__id__exact": self.campaign.pk},
            "totalscorrection": {"brand__id__exact": self.brand.pk},
        }
        for model, query in cases.items():
            with self.subTest(model=model):
                response = self.client.get(list_url(model), query)

                self.assertEqual(response.context["cl"].result_count, 1)
                picked = FAR_BRAND if "brand" in next(iter(query)) else f"{FAR_BRAND} / "
                self.assertContains(response, f"selected>{picked}")
