"""The dashboard's reads: a brand's spend by local hour (DST days of 23 and 25 hours), its last
30 days and month so far with empty days at 0, and the brands at risk ranked in SQL."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from ads.selectors.dashboard import HourSpend, brand_days, brand_spend_by_hour, brands_at_risk
from ads.services import BudgetService
from ads.tests.builders import make_brand, make_campaign, utc

NEW_YORK = "America/New_York"


def hours_as_text(hours: list[HourSpend]) -> list[tuple[str, Decimal]]:
    return [(f"{hour.start:%H:%M %Z}", hour.amount) for hour in hours]


class SpendByHourTests(TestCase):
    def setUp(self) -> None:
        self.brand = make_brand(timezone=NEW_YORK, daily="1000.00", monthly="10000.00")
        self.campaign = make_campaign(self.brand)

    def spend(self, amount: str, at: str) -> None:
        BudgetService.record_spend(self.campaign, amount, timestamp=utc(at))

    @time_machine.travel(utc("2026-03-09T03:59"), tick=False)
    def test_the_23_hour_spring_day_has_no_2am(self) -> None:
        # Sunday 2026-03-08: midnight EST is 05:00 UTC; 02:00 EST jumps to 03:00 EDT (07:00 UTC).
        self.spend("1.00", "2026-03-08T04:59")  # Saturday 23:59 EST: not this day
        self.spend("10.00", "2026-03-08T05:00")  # 00:00 EST
        self.spend("20.00", "2026-03-08T06:59")  # 01:59 EST
        self.spend("30.00", "2026-03-08T07:00")  # 03:00 EDT
        self.spend("1234.56", "2026-03-09T03:30")  # 23:30 EDT
        hours = hours_as_text(brand_spend_by_hour(self.brand))
        self.assertEqual(len(hours), 23)
        self.assertEqual(
            hours[:4],
            [
                ("00:00 EST", Decimal("10.00")),
                ("01:00 EST", Decimal("20.00")),
                ("03:00 EDT", Decimal("30.00")),
                ("04:00 EDT", Decimal("0.00")),
            ],
        )
        self.assertEqual(hours[-1], ("23:00 EDT", Decimal("1234.56")))
        self.assertEqual(sum(amount for _, amount in hours), Decimal("1294.56"))

    @time_machine.travel(utc("2026-11-01T12:00"), tick=False)
    def test_the_25_hour_autumn_day_has_1am_twice(self) -> None:
        # Sunday 2026-11-01: midnight EDT is 04:00 UTC; 01:00 comes at 05:00 (EDT) and 06:00 (EST).
        self.spend("5.00", "2026-11-01T05:30")  # 01:30 EDT
        self.spend("7.00", "2026-11-01T06:30")  # 01:30 EST
        self.spend("2.50", "2026-11-01T06:45")  # 01:45 EST
        hours = hours_as_text(brand_spend_by_hour(self.brand))
        self.assertEqual(len(hours), 25)
        self.assertEqual(
            hours[:4],
            [
                ("00:00 EDT", Decimal("0.00")),
                ("01:00 EDT", Decimal("5.00")),
                ("01:00 EST", Decimal("9.50")),
                ("02:00 EST", Decimal("0.00")),
            ],
        )
        self.assertEqual(hours[-1][0], "23:00 EST")

    @time_machine.travel(utc("2026-11-01T12:00"), tick=False)
    def test_one_statement(self) -> None:
        self.spend("5.00", "2026-11-01T05:30")
        with CaptureQueriesContext(connection) as queries:
            brand_spend_by_hour(self.brand)
        self.assertEqual(len(queries), 1)


class DaysTests(TestCase):
    @time_machine.travel(utc("2030-01-16T04:30"), tick=False)  # Tue 2030-01-15 23:30 EST
    def test_last_30_days_and_month_so_far_with_empty_days_at_zero(self) -> None:
        brand = make_brand(timezone=NEW_YORK)
        campaign = make_campaign(brand)
        BudgetService.record_spend(campaign, "3.00", timestamp=utc("2029-12-17T12:00"))  # day 1
        BudgetService.record_spend(campaign, "4.00", timestamp=utc("2029-12-16T12:00"))  # before
        BudgetService.record_spend(campaign, "8.00", timestamp=utc("2030-01-01T05:00"))  # 1st
        BudgetService.record_spend(campaign, "9.00", timestamp=utc("2030-01-16T04:00"))  # today
        with CaptureQueriesContext(connection) as queries:
            days = brand_days(brand)
        self.assertEqual(len(queries), 1)

        last = days.last_30_days
        self.assertEqual(len(last), 30)
        self.assertEqual((last[0].day, last[0].amount), (date(2029, 12, 17), Decimal("3.00")))
        self.assertEqual((last[-1].day, last[-1].amount), (date(2030, 1, 15), Decimal("9.00")))
        self.assertEqual(last[1].amount, Decimal("0.00"))
        self.assertEqual(sum(day.amount for day in last), Decimal("20.00"))

        month = days.month_so_far
        self.assertEqual([day.day for day in month], [date(2030, 1, d) for d in range(1, 16)])
        self.assertEqual(
            [day.amount for day in month],
            [Decimal("8.00")] + [Decimal("0.00")] * 13 + [Decimal("9.00")],
        )


# Wednesday 2026-03-18 12:00 UTC: 08:00 in New York (EDT: 8 of 24 hours gone), noon in UTC.
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class AtRiskTests(TestCase):
    def spend(self, name: str, timezone: str, amount: str, daily: str = "100.00") -> None:
        brand = make_brand(name, daily=daily, monthly="100000.00", timezone=timezone)
        BudgetService.record_spend(make_campaign(brand), amount)

    def test_the_brand_furthest_ahead_of_its_budget_first(self) -> None:
        self.spend("On pace", "UTC", "50.00")  # half the day gone, half spent: 1.00
        self.spend("Ahead", NEW_YORK, "60.00")  # 08:00 EDT: 60 / (100 x 8/24) = 1.80
        self.spend("Quiet", "UTC", "10.00", daily="1000.00")  # 0.02
        make_brand("Idle", timezone="Asia/Tokyo")
        risks = brands_at_risk()
        self.assertEqual([r.brand.name for r in risks], ["Ahead", "On pace", "Quiet", "Idle"])
        self.assertEqual(
            [r.pace.day.pacing for r in risks],
            [Decimal("1.80"), Decimal("1.00"), Decimal("0.02"), Decimal("0.00")],
        )
        self.assertEqual(risks[0].pace.day.projected, Decimal("180.00"))
        # The same numbers as the brand's summary.
        summary = BudgetService.get_brand_summary(risks[0].brand)
        self.assertEqual(summary["daily_pacing"], risks[0].pace.day.pacing)

    def test_a_brand_not_yet_rolled_into_today_has_spent_nothing_today(self) -> None:
        with time_machine.travel(NOW - timedelta(days=1), tick=False):
            self.spend("Stale", "UTC", "90.00")  # yesterday: its stored day is yesterday's
        self.spend("Fresh", "UTC", "10.00")  # 10 / (100 x 1/2) = 0.20
        risks = brands_at_risk()
        self.assertEqual([r.brand.name for r in risks], ["Fresh", "Stale"])
        self.assertEqual(risks[1].pace.day.pacing, Decimal("0.00"))

    def test_two_statements_for_2_or_20_brands(self) -> None:
        counts: list[int] = []
        for count in (2, 20):
            for index in range(len(counts) * 2, count):
                zone = ("UTC", NEW_YORK, "Asia/Tokyo")[index % 3]
                self.spend(f"Brand {index}", zone, f"{index + 1}.00")
            with CaptureQueriesContext(connection) as queries:
                risks = brands_at_risk(limit=20)
            counts.append(len(queries))
            self.assertEqual(len(risks), count)
        self.assertEqual(counts, [2, 2])


class NoBrandsTests(TestCase):
    def test_no_brands_no_risk(self) -> None:
        self.assertEqual(brands_at_risk(), [])
