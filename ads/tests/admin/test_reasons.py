"""The campaign list's blocking-reason filter and its "Show counts" agree with the rule.

They read the campaigns grouped by their facts (ads.selectors.reasons) and judge each group with
`CampaignService.blocking_reasons`; these tests hold them to `reasons_by_campaign`, which
judges every campaign on its own, on a portfolio with every reason and both kinds of window
(open and closed, in the brand's zone and in a zone of its own), and count their queries.
"""

from collections.abc import Mapping
from datetime import time

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ads.models import Campaign
from ads.services import (
    DAILY_EXCEEDED,
    DISABLED,
    MONTHLY_EXCEEDED,
    OUTSIDE_WINDOW,
    BudgetService,
    CampaignService,
)
from ads.tests.admin.test_queries import NOW, SuperuserTestCase, list_url
from ads.tests.builders import make_brand, make_campaign, make_schedule, utc

# At NOW (Wednesday 12:00 UTC) it is 21:00 in Tokyo.
ZONES = ("UTC", "Asia/Tokyo")
FILTER = {
    "disabled": DISABLED,
    "daily": DAILY_EXCEEDED,
    "monthly": MONTHLY_EXCEEDED,
    "window": OUTSIDE_WINDOW,
}
VALUES = (*FILTER, "none")
# (name, enabled, schedule as (start, end, weekdays, zone) or None)
CAMPAIGNS = (
    ("always", True, None),
    ("off", False, None),
    ("office hours", True, (time(9), time(17), None, "")),  # open in UTC, closed in Tokyo
    ("evening", True, (time(20), time(23), None, "")),  # closed in UTC, open in Tokyo
    ("Tokyo office", True, (time(9), time(17), None, "Asia/Tokyo")),  # closed everywhere
    ("off, evening", False, (time(20), time(23), None, "")),
    ("Mon-Tue", True, (time(0), time(23, 59), [0, 1], "")),  # closed on a Wednesday
)
# (daily budget, monthly budget, spent today, spent earlier this month)
# Two brands already have every reason.
BUDGETS = (
    ("100.00", "1000.00", None, None),  # within both
    ("100.00", "100.00", "150.00", None),  # both
    ("100.00", "1000.00", "100.00", None),  # the day's budget, exactly
    ("100.00", "1000.00", None, "1000.00"),  # the month's, on an earlier day
)


def add_portfolio(brands: int, *, first: int = 0) -> None:
    """`brands` brands, each budget state in each zone, each with every kind of campaign."""
    for number in range(first, first + brands):
        daily, monthly, today, earlier = BUDGETS[number % len(BUDGETS)]
        zone = ZONES[number // len(BUDGETS) % len(ZONES)]
        brand = make_brand(f"Brand {number:02}", daily, monthly, timezone=zone)
        for name, enabled, schedule in CAMPAIGNS:
            campaign = make_campaign(brand, name, enabled)
            if schedule is not None:
                start, end, days, zone = schedule
                make_schedule(campaign, start, end, days, zone)
        spender = brand.campaigns.get(name="always")
        if today:
            BudgetService.record_spend(spender, today, "today")
        if earlier:
            BudgetService.record_spend(
                spender, earlier, "earlier", timestamp=utc("2026-03-03T06:00")
            )


def expected(value: str, query: Mapping[str, object] | None = None) -> set[int]:
    """The campaigns `reasons_by_campaign` says the filter value stands for."""
    campaigns = Campaign.objects.filter(**(query or {}))
    reasons = CampaignService.reasons_by_campaign(campaigns)
    wanted = FILTER.get(value)
    return {pk for pk, found in reasons.items() if (wanted in found if wanted else not found)}


@time_machine.travel(NOW, tick=False)
class BlockingReasonFilterTests(SuperuserTestCase):
    def listed(self, **query: str) -> set[int]:
        response = self.client.get(list_url("campaign"), query)
        self.assertEqual(response.status_code, 200)
        return {campaign.pk for campaign in response.context["cl"].result_list}

    def test_the_portfolio_has_every_reason_and_every_kind_of_campaign(self) -> None:
        add_portfolio(8)
        reasons = CampaignService.reasons_by_campaign(Campaign.objects.all())
        found = {tuple(found) for found in reasons.values()}

        self.assertLessEqual(
            {(), (DISABLED,), (DAILY_EXCEEDED,), (MONTHLY_EXCEEDED,), (OUTSIDE_WINDOW,)}, found
        )
        self.assertIn((DISABLED, DAILY_EXCEEDED, MONTHLY_EXCEEDED, OUTSIDE_WINDOW), found)

    def test_each_choice_lists_the_campaigns_the_rule_blocks_for_it(self) -> None:
        add_portfolio(8)

        for value in VALUES:
            with self.subTest(value=value):
                self.assertTrue(expected(value))
                self.assertEqual(self.listed(reason=value), expected(value))

    def test_the_choice_narrows_what_other_filters_and_the_search_left(self) -> None:
        add_portfolio(8)
        # Brand 04: within both budgets, in Tokyo.
        shown = {"brand__name": "Brand 04", "brand__timezone": "Asia/Tokyo", "is_enabled": True}

        for value in VALUES:
            with self.subTest(value=value):
                listed = self.listed(reason=value, is_enabled__exact="1", q="Brand 04")
                self.assertEqual(listed, expected(value, shown))
        self.assertEqual(
            {Campaign.objects.get(pk=pk).name for pk in expected("none", shown)},
            {"always", "evening"},
        )

    def test_show_counts_counts_what_each_choice_lists(self) -> None:
        add_portfolio(8)

        page = self.client.get(list_url("campaign"), {"_facets": "True"}).content.decode()

        for value, title in (*FILTER.items(), ("none", "Nothing blocks it")):
            with self.subTest(value=value):
                self.assertIn(f"{title} ({len(expected(value))})", page)

    def test_a_choice_nothing_has_lists_nothing(self) -> None:
        add_portfolio(1)  # Brand 00: within both budgets

        self.assertEqual(self.listed(reason="daily"), set())
        self.assertEqual(expected("daily"), set())

    def queries(self, **query: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(list_url("campaign"), query)
        self.assertEqual(response.status_code, 200)
        return len(captured)

    def test_the_filter_and_its_counts_do_not_grow_with_the_campaigns(self) -> None:
        pages = [{"_facets": "True"}, *({"reason": value} for value in VALUES)]
        add_portfolio(2)
        for query in pages:
            self.queries(**query)  # warm the caches a first request fills
        few = [self.queries(**query) for query in pages]

        add_portfolio(18, first=2)
        many = [self.queries(**query) for query in pages]

        self.assertEqual(many, few)
