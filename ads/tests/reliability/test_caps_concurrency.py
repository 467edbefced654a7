"""Concurrent spends with campaign caps, on real PostgreSQL: no lost update, no deadlock, and
every campaign's own totals equal the ledger's.

Six threads, each with its own connection, record single spends and batches that span two
brands (named in either order, so the locks must be taken in pk order to avoid a deadlock),
while the sweep runs between them; some campaigns have caps that are reached part-way through.
"""

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import time_machine
from django.db import connection
from django.db.models import Sum

from ads.models import Campaign, CampaignStatusChange
from ads.rules.budgets import is_cap_reached
from ads.services import BudgetService, CampaignService, SpendEntry
from ads.tests.builders import RowLockTestCase, make_brand, make_campaign, utc

NOON = utc("2026-03-18T12:00:00")
THREADS = 6
ROUNDS = 40


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

    def test_no_lost_update_no_deadlock_and_campaign_totals_equal_the_ledger(self) -> None:
        start = threading.Barrier(THREADS)

        def run(seed: int) -> None:
            try:
                start.wait(timeout=30)
                self.work(seed)
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            futures = [pool.submit(run, seed) for seed in range(THREADS)]
            # Any error in a thread (a deadlock, a constraint) is raised here.
            for future in futures:
                future.result(timeout=300)

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
