"""Local days and months turning over: by the reset or by the first spend after local midnight,
at each brand's own midnight (+05:30, +05:45 and UTC side by side), at a month end, and for
backdated spends.

Catching up after missed resets and the DST corners are in ads/tests/reliability/test_clock.py.
"""

from datetime import date, datetime
from decimal import Decimal

import time_machine
from django.test import TestCase

from ads.models import Campaign, CampaignStatusChange, SpendLog
from ads.services import BudgetService, ResetResult
from ads.tests.builders import is_active, make_brand, make_campaign, totals, utc

Cause = CampaignStatusChange.Cause
# 10:00Z on Wednesday 18 March is 15:30 in Kolkata and 15:45 in Kathmandu.
SPENT_AT = utc("2026-03-18T10:00:00")
# Local midnight of the 19th, in UTC.
KATHMANDU_MIDNIGHT = utc("2026-03-18T18:15:00")
KOLKATA_MIDNIGHT = utc("2026-03-18T18:30:00")
MARCH_18 = date(2026, 3, 18)
MARCH_19 = date(2026, 3, 19)


def reset_at(instant: datetime) -> ResetResult:
    with time_machine.travel(instant, tick=False):
        return BudgetService.reset_daily_monthly_spends()


def spend_at(
    instant: datetime, campaign: Campaign, amount: str, timestamp: datetime | None = None
) -> None:
    with time_machine.travel(instant, tick=False):
        BudgetService.record_spend(campaign, amount, timestamp=timestamp)


def last_change(campaign: Campaign) -> tuple[bool, list[str], str]:
    change = campaign.status_changes.order_by("-changed_at", "-id")[0]
    return change.is_active, change.reasons, change.cause


class OwnMidnightTests(TestCase):
    """Three brands over their daily budget; each starts its new day at its own midnight."""

    def setUp(self) -> None:
        self.campaigns: dict[str, Campaign] = {}
        with time_machine.travel(SPENT_AT, tick=False):
            for zone in ("UTC", "Asia/Kolkata", "Asia/Kathmandu"):
                brand = make_brand(zone, daily="50.00", monthly="1000.00", timezone=zone)
                campaign = make_campaign(brand)
                BudgetService.record_spend(campaign, "60.00")
                self.campaigns[zone] = campaign
        self.assertFalse(Campaign.objects.filter(is_active=True).exists())

    def state(self, zone: str) -> tuple[date, Decimal, Decimal, bool]:
        campaign = self.campaigns[zone]
        brand = campaign.brand
        daily, monthly = totals(brand)
        return brand.spend_day, daily, monthly, is_active(campaign)

    def test_the_reset_rolls_each_brand_at_its_own_local_midnight(self) -> None:
        self.assertEqual(reset_at(utc("2026-03-18T18:14:59")).rolled, [])

        result = reset_at(KATHMANDU_MIDNIGHT)
        self.assertEqual(
            [(b.name, b.old_day, b.new_day) for b in result.rolled],
            [("Asia/Kathmandu", MARCH_18, MARCH_19)],
        )
        self.assertEqual(self.state("Asia/Kathmandu"), (MARCH_19, Decimal(0), Decimal(60), True))
        self.assertEqual(self.state("Asia/Kolkata"), (MARCH_18, Decimal(60), Decimal(60), False))

        result = reset_at(KOLKATA_MIDNIGHT)
        self.assertEqual([b.name for b in result.rolled], ["Asia/Kolkata"])
        self.assertEqual(self.state("Asia/Kolkata"), (MARCH_19, Decimal(0), Decimal(60), True))
        self.assertEqual(self.state("UTC"), (MARCH_18, Decimal(60), Decimal(60), False))
        self.assertEqual(last_change(self.campaigns["Asia/Kolkata"]), (True, [], Cause.RESET))

    def test_the_reset_is_idempotent(self) -> None:
        first = reset_at(KOLKATA_MIDNIGHT)
        self.assertEqual(len(first.rolled), 2)
        history = CampaignStatusChange.objects.count()
        states = [self.state(zone) for zone in self.campaigns]
        for _ in range(2):
            again = reset_at(KOLKATA_MIDNIGHT)
            self.assertEqual(
                (again.rolled, again.campaigns.activated, again.campaigns.paused), ([], [], [])
            )
        self.assertEqual([self.state(zone) for zone in self.campaigns], states)
        self.assertEqual(CampaignStatusChange.objects.count(), history)

    def test_a_spend_half_a_minute_after_local_midnight_starts_the_new_day_before_any_reset(
        self,
    ) -> None:
        # 00:00:30 local in each zone; the UTC brand is still on the 18th.
        spend_at(utc("2026-03-18T18:15:30"), self.campaigns["Asia/Kathmandu"], "5.00")
        spend_at(utc("2026-03-18T18:30:30"), self.campaigns["Asia/Kolkata"], "5.00")
        spend_at(utc("2026-03-18T18:30:30"), self.campaigns["UTC"], "5.00")

        for zone in ("Asia/Kathmandu", "Asia/Kolkata"):
            with self.subTest(zone=zone):
                # Yesterday's 60 no longer counts today: the campaign paused for it serves again.
                self.assertEqual(self.state(zone), (MARCH_19, Decimal(5), Decimal(65), True))
                self.assertEqual(last_change(self.campaigns[zone]), (True, [], Cause.SPEND))
        self.assertEqual(self.state("UTC"), (MARCH_18, Decimal(65), Decimal(65), False))
        # The reset finds those two already in their new day.
        self.assertEqual(reset_at(utc("2026-03-18T18:31:00")).rolled, [])

    def test_a_spend_from_before_midnight_recorded_after_it_counts_toward_the_month_only(
        self,
    ) -> None:
        # Recorded at 00:01 IST on the 19th, it happened at 23:59 IST on the 18th.
        spend_at(
            utc("2026-03-18T18:31:00"),
            self.campaigns["Asia/Kolkata"],
            "7.00",
            timestamp=utc("2026-03-18T18:29:00"),
        )
        self.assertEqual(self.state("Asia/Kolkata"), (MARCH_19, Decimal(0), Decimal(67), True))


class MonthEndTests(TestCase):
    def test_a_spend_on_the_first_of_the_month_starts_a_new_month_in_the_brands_zone(self) -> None:
        with time_machine.travel(utc("2026-03-31T12:00:00"), tick=False):
            kathmandu = make_brand(
                "Kathmandu", daily="500", monthly="100", timezone="Asia/Kathmandu"
            )
            utc_brand = make_brand("UTC", daily="500", monthly="100")
            far, near = make_campaign(kathmandu), make_campaign(utc_brand)
            BudgetService.record_spend(far, "100.00")
            BudgetService.record_spend(near, "100.00")

        # 00:00:30 on 1 April in Kathmandu; still 31 March in UTC.
        spend_at(utc("2026-03-31T18:15:30"), far, "5.00")
        spend_at(utc("2026-03-31T18:15:30"), near, "5.00")

        self.assertEqual(totals(far.brand), (Decimal("5.00"), Decimal("5.00")))
        self.assertEqual(far.brand.spend_month, date(2026, 4, 1))
        self.assertTrue(is_active(far))
        self.assertEqual(totals(near.brand), (Decimal("105.00"), Decimal("105.00")))
        self.assertFalse(is_active(near))

        result = reset_at(utc("2026-04-01T00:00:00"))
        self.assertEqual([(b.name, b.new_month) for b in result.rolled], [("UTC", True)])
        self.assertEqual(totals(near.brand), (Decimal("0.00"), Decimal("0.00")))
        self.assertTrue(is_active(near))

    def test_a_new_day_keeps_a_campaign_paused_for_the_month(self) -> None:
        with time_machine.travel(utc("2026-03-30T12:00:00"), tick=False):
            campaign = make_campaign(make_brand(daily="500", monthly="100"))
            BudgetService.record_spend(campaign, "100.00")
        result = reset_at(utc("2026-03-31T00:00:00"))
        self.assertEqual([(b.name, b.new_month) for b in result.rolled], [("Acme", False)])
        self.assertEqual(totals(campaign.brand), (Decimal("0.00"), Decimal("100.00")))
        self.assertFalse(is_active(campaign))
        reset_at(utc("2026-04-01T00:00:00"))
        self.assertTrue(is_active(campaign))
        self.assertEqual(last_change(campaign), (True, [], Cause.RESET))


@time_machine.travel(utc("2026-03-18T12:00:00"), tick=False)
class BackdatedSpendTests(TestCase):
    def setUp(self) -> None:
        self.brand = make_brand(daily="100.00", monthly="200.00")
        self.campaign = make_campaign(self.brand)

    def test_yesterdays_spend_counts_toward_the_month_and_last_months_toward_neither(self) -> None:
        BudgetService.record_spend(self.campaign, "50.00", timestamp=utc("2026-03-17T23:59:59"))
        self.assertEqual(totals(self.brand), (Decimal("0.00"), Decimal("50.00")))

        # Over both budgets, but it belongs to February: it is kept and counts nowhere now.
        BudgetService.record_spend(self.campaign, "500.00", timestamp=utc("2026-02-28T23:59:59"))
        self.assertEqual(totals(self.brand), (Decimal("0.00"), Decimal("50.00")))
        self.assertTrue(is_active(self.campaign))

        # The first instant of March counts toward March, and takes it to its budget.
        BudgetService.record_spend(self.campaign, "150.00", timestamp=utc("2026-03-01T00:00:00"))
        self.assertEqual(totals(self.brand), (Decimal("0.00"), Decimal("200.00")))
        self.assertFalse(is_active(self.campaign))
        self.assertEqual(
            last_change(self.campaign), (False, ["Monthly budget exceeded"], Cause.SPEND)
        )
        self.assertEqual(SpendLog.objects.count(), 3)
        self.assertEqual(BudgetService.find_drift(), [])
