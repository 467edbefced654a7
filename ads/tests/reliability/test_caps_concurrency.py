"""Concurrent spends with campaign caps, on real PostgreSQL: no lost update, no deadlock, and
every campaign's own totals equal the ledger's.

Six threads, each with its own connection, record single spends and batches that span two
brands (named in either order, so the locks must be taken in pk order to avoid a deadlock),
while the sweep runs between them; some campaigns have caps that are reached part-way through.
The second test mixes credits and platform reports into the same stream: caps reached, then
lifted by a credit or a report restated lower, both ways, at once.
"""

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import TypeVar

import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

from ads.models import Campaign, CampaignStatusChange, SpendLog
from ads.rules.budgets import is_cap_reached
from ads.services import BudgetService, CampaignService, SpendEntry
from ads.tests.builders import RowLockTestCase, make_brand, make_campaign, utc

NOON = utc("2026-03-18T12:00:00")
TODAY = date(2026, 3, 18)  # the brands' local day at NOON (UTC, the builders' default zone)
THREADS = 6
ROUNDS = 40
# Refusals a mixed stream may meet: a credit or a report that would take a day below 0.
EXPECTED_REFUSALS = {"over_credit", "below_zero"}
CAP_REASONS = {"Campaign daily cap reached", "Campaign total cap reached"}
T = TypeVar("T")


# Noon of a pinned day (the clock still runs): no local midnight turns during the test.
@time_machine.travel(NOON, tick=True)
class ConcurrentCapsTests(RowLockTestCase):
    def setUp(self) -> None:
        brands = [
            make_brand(f"Brand {n}", daily="100000.00", monthly="1000000.00") for n in range(2)
        ]
        self.campaigns = [make_campaign(brand, f"C{n}") for brand in brands for n in range(3)]
        for campaign, (daily, total) in zip(
            self.campaigns, (("20.00", None), (None, "30.00"), (None, None)) * 2, strict=True
        ):
            campaign.daily_cap = None if daily is None else Decimal(daily)  # type: ignore[assignment]
            campaign.total_cap = None if total is None else Decimal(total)  # type: ignore[assignment]
            campaign.save()

    def work(self, seed: int) -> None:
        """Single spends, batches over both brands (either order) and sweeps, at random."""
        rng = random.Random(seed)
        for _ in range(ROUNDS):
            choice = rng.random()
            if choice < 0.4:
                campaign = rng.choice(self.campaigns)
                BudgetService.record_spend(campaign, Decimal(rng.randint(1, 300)) / 100)
            elif choice < 0.9:
                picked = rng.sample(self.campaigns, 4)
                BudgetService.record_spends(
                    [SpendEntry(c, Decimal(rng.randint(1, 300)) / 100) for c in picked]
                )
            else:
                CampaignService.sync_all(CampaignStatusChange.Cause.ENFORCE_BUDGETS)

    def mixed(self, seed: int) -> list[str]:
        """Spends, batches over both brands, credits, reports and sweeps; the refusals met."""
        rng = random.Random(1000 + seed)
        refusals: list[str] = []
        for step in range(ROUNDS * 2):
            campaign = rng.choice(self.campaigns)
            cents = Decimal(rng.randint(1, 300)) / 100
            choice = rng.random()
            try:
                if choice < 0.3:
                    BudgetService.record_spend(campaign, cents)
                elif choice < 0.5:
                    picked = rng.sample(self.campaigns, 4)
                    BudgetService.record_spends(
                        [SpendEntry(c, Decimal(rng.randint(1, 300)) / 100) for c in picked]
                    )
                elif choice < 0.7:
                    BudgetService.record_adjustment(
                        campaign, -cents, "Invalid clicks", external_id=f"cr-{seed}-{step}"
                    )
                elif choice < 0.9:
                    # Few distinct totals, around the caps: threads often send the same report.
                    total = Decimal(rng.randint(0, 7) * 5)
                    BudgetService.record_reported_spend(campaign, TODAY, total, source="google_ads")
                else:
                    CampaignService.sync_all(CampaignStatusChange.Cause.ENFORCE_BUDGETS)
            except ValidationError as error:
                refusals.extend(e.code or "" for errs in error.error_dict.values() for e in errs)
        return refusals

    def run_threads(self, work: Callable[[int], T]) -> list[T]:
        """Run `work(seed)` in every thread, released at once; what each returned."""
        start = threading.Barrier(THREADS)

        def run(seed: int) -> T:
            try:
                start.wait(timeout=30)
                return work(seed)
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            futures = [pool.submit(run, seed) for seed in range(THREADS)]
            # Any error in a thread (a deadlock, a constraint) is raised here.
            return [future.result(timeout=300) for future in futures]

    def test_no_lost_update_no_deadlock_and_campaign_totals_equal_the_ledger(self) -> None:
        self.run_threads(self.work)

        self.assertEqual(BudgetService.find_drift(), [])
        self.assertEqual(BudgetService.find_campaign_drift(), [])
        for campaign in Campaign.objects.annotate(ledger=Sum("spend_logs__amount")):
            self.assertEqual(campaign.total_spend, campaign.ledger)
            self.assertEqual(campaign.current_daily_spend, campaign.ledger)
            capped = is_cap_reached(campaign.current_daily_spend, campaign.daily_cap) or (
                is_cap_reached(campaign.total_spend, campaign.total_cap)
            )
            # Each capped campaign was paused by the spend that reached its cap, at once.
            self.assertEqual(campaign.is_active, not capped, campaign.name)
        self.assertTrue(Campaign.objects.filter(is_active=False).exists())
        self.assertTrue(Campaign.objects.filter(is_active=True).exists())

    def test_caps_credits_and_reports_mixed_lose_nothing_and_each_state_is_its_verdict(
        self,
    ) -> None:
        results = self.run_threads(self.mixed)
        refusals = {code for codes in results for code in codes}
        self.assertLessEqual(refusals, EXPECTED_REFUSALS)

        self.assertEqual(BudgetService.find_drift(), [])
        self.assertEqual(BudgetService.find_campaign_drift(), [])
        kinds = set(SpendLog.objects.values_list("kind", flat=True))
        self.assertLessEqual({SpendLog.Kind.SPEND, SpendLog.Kind.CREDIT}, kinds)
        self.assertIn(SpendLog.Kind.REPORT, kinds)
        for campaign in Campaign.objects.annotate(ledger=Sum("spend_logs__amount")):
            with self.subTest(campaign=campaign.name):
                self.assertGreaterEqual(campaign.current_daily_spend, 0)
                self.assertEqual(campaign.total_spend, campaign.ledger or 0)
                self.assertEqual(campaign.current_daily_spend, campaign.ledger or 0)
                # Whatever the order, paused exactly when a cap is reached, both ways.
                verdict, reasons = CampaignService.should_campaign_be_active(campaign)
                self.assertEqual(campaign.is_active, verdict, reasons)
        # Caps were reached on the way, and some campaign paused by its cap came back (a
        # credit, or a report restated lower), each in the write's own transaction.
        history: dict[int, list[CampaignStatusChange]] = {}
        for change in CampaignStatusChange.objects.order_by("pk"):
            history.setdefault(change.campaign_id, []).append(change)
        came_back = [
            changes
            for changes in history.values()
            if any(
                paused.reasons and set(paused.reasons) <= CAP_REASONS and later.is_active
                for i, paused in enumerate(changes)
                for later in changes[i + 1 :]
            )
        ]
        self.assertTrue(came_back)
