"""Load: four processes spend at once while the periodic work runs in a fifth, on PostgreSQL.

The spenders hit one shared brand and fifty others, re-deliver each other's events, backdate
some spends and batch others (batches lock several brands). Afterwards every brand's totals equal
the ledger to the cent, the ledger holds each event once, and every campaign is in the state the
rules give it. A deadlock or any other error fails a child, and the test with it.
"""

import random
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.test import TransactionTestCase
from django.utils import timezone

from ads.models import Brand, Campaign, DaypartingSchedule, SpendLog
from ads.services import BudgetService, CampaignService, SpendEntry
from ads.tasks import enforce_budgets, enforce_dayparting, reset_daily_monthly_spends
from ads.tests.builders import midday_zones
from ads.tests.processes import Child, start_script

SPENDERS = 4
SPENDS_PER_PROCESS = 120
ZONES = ("UTC", "America/New_York", "Europe/Paris", "Asia/Kolkata", "Pacific/Auckland")

# One spend as a child reports it: campaign id, amount, external_id, ISO timestamp or None.
Submitted = tuple[int, str, str | None, str | None]


def shared_amount(event: int) -> Decimal:
    """The amount of shared event `event`: every process that delivers it sends the same one."""
    return Decimal(100 + (event * 37) % 900) / 100


def spend_in_a_loop(
    process: int, hot_ids: list[int], other_ids: list[int], count: int
) -> list[Submitted]:
    """Child: `count` spends, half on the hot brand; also re-deliveries, backdating, batches."""
    rng = random.Random(process)
    campaigns = Campaign.objects.in_bulk(hot_ids + other_ids)
    submitted: list[Submitted] = []
    for i in range(count):
        if i % 10 == 9:
            # A batch over three brands: record_spends locks them all, in pk order.
            batch = [
                (campaigns[rng.choice(other_ids)], f"{rng.randint(1, 900)}.{i % 100:02d}")
                for _ in range(3)
            ]
            BudgetService.record_spends([SpendEntry(c, amount) for c, amount in batch])
            submitted += [(c.pk, amount, None, None) for c, amount in batch]
            continue
        if i % 4 == 0:
            # A shared event that every spender delivers: the ledger must count it once.
            event = i // 4
            campaign = campaigns[hot_ids[event % len(hot_ids)]]
            amount, external_id = shared_amount(event), f"shared-{event}"
            BudgetService.record_spend(campaign, amount, external_id=external_id)
            submitted.append((campaign.pk, str(amount), external_id, None))
            continue
        campaign = campaigns[rng.choice(hot_ids if i % 2 else other_ids)]
        amount = Decimal(rng.randint(1, 5000)) / 100
        when = None
        if i % 7 == 0:
            # Backdated by up to 30 hours: may belong to yesterday, or to last month.
            when = timezone.now() - timedelta(minutes=rng.randint(1, 30 * 60))
        BudgetService.record_spend(campaign, amount, f"load {process}", timestamp=when)
        submitted.append((campaign.pk, str(amount), None, when.isoformat() if when else None))
    return submitted


def run_periodic_work(stop_file: str, max_seconds: float) -> int:
    """Child: the three periodic task bodies in a loop, until told to stop; returns the rounds."""
    rounds = 0
    deadline = time.monotonic() + max_seconds
    while rounds == 0 or not Path(stop_file).exists():
        if time.monotonic() > deadline:
            raise TimeoutError("The spenders did not finish in time.")
        # The task bodies, called in-process as a worker would run them.
        enforce_budgets()
        enforce_dayparting()
        reset_daily_monthly_spends()
        rounds += 1
    return rounds


def local_window(tz: str, open_now: bool) -> tuple[datetime, datetime]:
    """A window hours away from its edges: open for the whole test, or closed for all of it."""
    now = timezone.now().astimezone(ZoneInfo(tz))
    if open_now:
        return now - timedelta(hours=2), now + timedelta(hours=2)
    return now + timedelta(hours=3), now + timedelta(hours=5)


class ConcurrentSpendUnderPeriodicWorkTests(TransactionTestCase):
    def setUp(self) -> None:
        rng = random.Random(2026)
        self.hot = Brand.objects.create(
            name="Hot",
            daily_budget=Decimal("2500"),
            monthly_budget=Decimal("100000"),
            timezone=midday_zones()[0],
        )
        self.hot_ids = [
            Campaign.objects.create(brand=self.hot, name=f"Hot {n}").pk for n in range(3)
        ]
        self.other_ids = []
        for n in range(50):
            brand = Brand.objects.create(
                name=f"Brand {n:02d}",
                daily_budget=Decimal(rng.randint(50, 800)),
                monthly_budget=Decimal(rng.choice([150, 100000])),
                timezone=ZONES[n % len(ZONES)],
            )
            for kind in ("Search", "Video"):
                campaign = Campaign.objects.create(brand=brand, name=kind)
                self.other_ids.append(campaign.pk)
                if kind == "Video" and n % 3:
                    start, end = local_window(brand.timezone, open_now=n % 3 == 1)
                    DaypartingSchedule.objects.create(
                        campaign=campaign, start_time=start.time(), end_time=end.time()
                    )
        # Wrong states only the periodic work repairs: it must do so under load.
        Campaign.objects.filter(pk__in=self.other_ids[::4]).update(is_active=False)
        Campaign.objects.filter(pk__in=self.other_ids[1::4]).update(is_active=True)

    def start_children(self, stop_file: Path) -> tuple[list[Child], Child]:
        periodic = start_script(
            f"{__name__}:run_periodic_work", stop_file=str(stop_file), max_seconds=120
        )
        self.addCleanup(periodic.close)
        spenders = []
        for process in range(SPENDERS):
            child = start_script(
                f"{__name__}:spend_in_a_loop",
                process=process,
                hot_ids=self.hot_ids,
                other_ids=self.other_ids,
                count=SPENDS_PER_PROCESS,
            )
            self.addCleanup(child.close)
            spenders.append(child)
        return spenders, periodic

    def test_totals_equal_the_ledger_and_every_campaign_is_in_its_rule_state(self) -> None:
        stop_file = Path(tempfile.mkdtemp()) / "stop"
        spenders, periodic = self.start_children(stop_file)
        submitted: list[Submitted] = []
        for child in spenders:
            submitted += [(int(c), a, e, t) for c, a, e, t in child.result(timeout=120)]
        stop_file.touch()
        rounds = periodic.result(timeout=60)

        self.assertGreaterEqual(rounds, 1)
        self.assert_ledger_holds_each_event_once(submitted)
        self.assert_totals_equal_the_ledger()
        self.assert_every_campaign_in_its_rule_state()
        # The load did reach the rules under test: budgets were exceeded along the way.
        self.hot.refresh_from_db()
        self.assertTrue(self.hot.is_daily_budget_exceeded)
        self.assertFalse(Campaign.objects.filter(brand=self.hot, is_active=True).exists())

    def assert_ledger_holds_each_event_once(self, submitted: list[Submitted]) -> None:
        expected: Counter[tuple[int, Decimal, str | None]] = Counter()
        shared = set()
        for campaign_id, amount, external_id, _ in submitted:
            if external_id is not None:
                if (campaign_id, external_id) in shared:
                    continue
                shared.add((campaign_id, external_id))
            expected[(campaign_id, Decimal(amount), external_id)] += 1
        ledger = Counter(SpendLog.objects.values_list("campaign_id", "amount", "external_id"))
        self.assertEqual(ledger, expected)
        self.assertLess(sum(ledger.values()), len(submitted))  # re-deliveries were dropped

    def assert_totals_equal_the_ledger(self) -> None:
        spends = list(SpendLog.objects.values_list("campaign__brand_id", "amount", "timestamp"))
        for brand in Brand.objects.all():
            tz = ZoneInfo(brand.timezone)
            local_days = [
                (amount, at.astimezone(tz).date())
                for brand_id, amount, at in spends
                if brand_id == brand.pk
            ]
            daily = sum((a for a, day in local_days if day == brand.spend_day), Decimal(0))
            monthly = sum(
                (a for a, day in local_days if day.replace(day=1) == brand.spend_month),
                Decimal(0),
            )
            with self.subTest(brand=brand.name):
                self.assertEqual(brand.current_daily_spend, daily)
                self.assertEqual(brand.current_monthly_spend, monthly)
                self.assertEqual(brand.spend_month, brand.spend_day.replace(day=1))
        self.assertEqual(BudgetService.find_drift(), [])

    def assert_every_campaign_in_its_rule_state(self) -> None:
        for campaign in Campaign.objects.select_related("brand"):
            should_be_active, reasons = CampaignService.should_campaign_be_active(campaign)
            with self.subTest(campaign=f"{campaign.brand.name}/{campaign.name}", reasons=reasons):
                self.assertEqual(campaign.is_active, should_be_active)
