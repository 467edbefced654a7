"""The blocking-reason filter's conditions (`blocked_by`, `reason_counts`) name exactly the
campaigns the per-campaign verdict names (`campaign_facts` + `blocking_reasons`), for every
reason and for "nothing blocks", at moments on each side of the windows and flight days, in
three brand zones; in the same few queries whatever the number of campaigns."""

from datetime import date, time
from decimal import Decimal

import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from ads.models import Brand, Campaign, DaypartingWindow
from ads.rules.reasons import (
    BEFORE_FLIGHT,
    DAILY_CAP_REACHED,
    DAILY_EXCEEDED,
    DISABLED,
    FLIGHT_ENDED,
    MONTHLY_EXCEEDED,
    OUTSIDE_WINDOW,
    TOTAL_CAP_REACHED,
    blocking_reasons,
)
from ads.selectors import blocked_by, campaign_facts, reason_counts
from ads.services import BudgetService
from ads.tests.builders import make_brand, make_schedule, utc

REASONS: list[str | None] = [
    DISABLED,
    BEFORE_FLIGHT,
    FLIGHT_ENDED,
    DAILY_EXCEEDED,
    MONTHLY_EXCEEDED,
    DAILY_CAP_REACHED,
    TOTAL_CAP_REACHED,
    OUTSIDE_WINDOW,
    None,
]
CREATED = utc("2026-06-15T12:00")
# Through 15-16 June: midnight in Tokyo, morning and evening in London and New York.
MOMENTS = ["2026-06-15T12:00", "2026-06-15T14:59", "2026-06-15T15:00", "2026-06-15T21:30"]


def add_campaigns(brand: Brand, prefix: str) -> None:
    """One campaign for each fact of a verdict, and some with several."""

    def campaign(name: str, **fields: object) -> Campaign:
        return Campaign.objects.create(brand=brand, name=f"{prefix} {name}", **fields)

    campaign("plain")
    campaign("disabled", is_enabled=False)
    campaign("waiting", start_date=date(2026, 6, 16))
    campaign("ended", end_date=date(2026, 6, 15))
    campaign("in flight", start_date=date(2026, 6, 1), end_date=date(2026, 6, 30))
    capped = campaign("capped", daily_cap=Decimal("5.00"), total_cap=Decimal("50.00"))
    BudgetService.record_spend(capped, "5.00")
    spent_out = campaign("spent out", total_cap=Decimal("3.00"))
    BudgetService.record_spend(spent_out, "3.00")
    make_schedule(campaign("office hours"), time(9), time(17), [0, 1, 2, 3, 4])
    make_schedule(campaign("London hours"), time(9), time(17), timezone="Europe/London")
    make_schedule(campaign("nights"), time(22), time(6))
    # The same own window with one more: only the extra windows tell the two apart.
    nights_and_noon = make_schedule(campaign("nights and noon"), time(22), time(6))
    DaypartingWindow(schedule=nights_and_noon, start_time=time(12), end_time=time(13)).save()


class ReasonConditionTests(TestCase):
    def setUp(self) -> None:
        with time_machine.travel(CREATED, tick=False):
            add_campaigns(make_brand("Utc", daily="1000.00", timezone="UTC"), "UTC")
            add_campaigns(make_brand("Nyc", daily="1.00", timezone="America/New_York"), "NY")
            add_campaigns(make_brand("Tyo", monthly="1.00", timezone="Asia/Tokyo"), "Tokyo")

    def verdicts(self, reason: str | None, moment: str) -> set[int]:
        """The campaigns `reason` blocks at `moment` (None: nothing blocks), judged one by one."""
        found = {
            facts.pk: blocking_reasons(facts, now=utc(moment))
            for facts in campaign_facts(Campaign.objects.all())
        }
        return {
            pk for pk, reasons in found.items() if (reason in reasons if reason else not reasons)
        }

    def test_each_reason_names_the_campaigns_the_verdicts_name(self) -> None:
        seen = set()
        for moment in MOMENTS:
            counts = reason_counts(Campaign.objects.all(), REASONS, now=utc(moment))
            for reason in REASONS:
                with self.subTest(moment=moment, reason=reason):
                    expected = self.verdicts(reason, moment)
                    found = blocked_by(Campaign.objects.all(), reason, now=utc(moment))
                    self.assertEqual(set(found.values_list("pk", flat=True)), expected)
                    self.assertEqual(counts[reason], len(expected))
                    if expected:
                        seen.add(reason)
        # Every reason, and "nothing blocks", names some campaign at some moment.
        self.assertEqual(seen, set(REASONS))

    def test_the_counts_take_as_many_queries_for_ten_times_the_campaigns(self) -> None:
        queries = []
        for brands in (0, 9):
            for number in range(brands):
                add_campaigns(make_brand(f"More {number}", timezone="Europe/Paris"), f"M{number}")
            with CaptureQueriesContext(connection) as captured:
                reason_counts(Campaign.objects.all(), REASONS, now=utc(MOMENTS[0]))
            queries.append(len(captured))
        self.assertEqual(queries[0], queries[1])
        self.assertLessEqual(queries[0], 4)
