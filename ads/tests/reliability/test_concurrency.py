"""Concurrent spends on one brand, on real PostgreSQL: no lost update, no duplicate, no deadlock.

Eight threads, each with its own database connection, record 250 spends apiece on the same
brand while its small budget is exceeded (and its campaigns paused) part-way through. Then the
same with every thread delivering one shared set of events, as a platform re-sending a batch.
"""

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import time_machine
from django.db import connection
from django.db.models import Sum

from ads.models import Campaign, CampaignStatusChange, SpendLog
from ads.services import BudgetService
from ads.tests.builders import RowLockTestCase, make_brand, make_campaign, totals, utc

NOON = utc("2026-03-18T12:00:00")

Cause = CampaignStatusChange.Cause
THREADS = 8
SPENDS_PER_THREAD = 250
# A spend is (campaign index, amount, external_id).
Spend = tuple[int, Decimal, str | None]


def amounts(seed: int, count: int) -> list[Decimal]:
    rng = random.Random(seed)
    return [Decimal(rng.randint(1, 100)) / 100 for _ in range(count)]


# Noon of a pinned day (the clock still runs): no local midnight turns during a test.
@time_machine.travel(NOON, tick=True)
class ConcurrentSpendTests(RowLockTestCase):
    def setUp(self) -> None:
        # Spends of 0.50 on average: the daily budget goes after about 200 of them, part-way
        # through either test, the monthly one later in the first.
        self.brand = make_brand("Hot", daily="100.00", monthly="600.00")
        self.campaigns = [make_campaign(self.brand, f"Campaign {n}") for n in range(4)]

    def run_threads(self, plans: list[list[Spend]]) -> list[list[int]]:
        """Record each plan in its own thread, all released at once; the SpendLog pks per plan."""
        start = threading.Barrier(len(plans))

        def record(plan: list[Spend]) -> list[int]:
            try:
                start.wait(timeout=30)
                return [
                    BudgetService.record_spend(
                        self.campaigns[index], amount, external_id=external_id
                    ).pk
                    for index, amount, external_id in plan
                ]
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=len(plans)) as pool:
            futures = [pool.submit(record, plan) for plan in plans]
            # Any error in a thread (a deadlock, a unique violation) is raised here.
            return [future.result(timeout=300) for future in futures]

    def assert_totals_equal(self, expected: Decimal) -> None:
        ledger = SpendLog.objects.aggregate(total=Sum("amount"))["total"]
        self.assertEqual(ledger, expected)
        self.assertEqual(totals(self.brand), (expected, expected))
        self.assertEqual(BudgetService.find_drift(), [])

    def assert_paused_once_each(self) -> None:
        """Over budget, every campaign is paused, and each pause was recorded exactly once."""
        self.assertFalse(Campaign.objects.filter(is_active=True).exists())
        pauses = CampaignStatusChange.objects.filter(is_active=False)
        self.assertEqual(
            sorted(pauses.values_list("campaign__name", "cause")),
            [(campaign.name, Cause.SPEND) for campaign in self.campaigns],
        )

    def test_no_spend_is_lost_or_doubled(self) -> None:
        plans: list[list[Spend]] = [
            [
                (n % len(self.campaigns), amount, f"t{thread}-{n}" if n % 2 else None)
                for n, amount in enumerate(amounts(thread, SPENDS_PER_THREAD))
            ]
            for thread in range(THREADS)
        ]

        pks = self.run_threads(plans)

        recorded = [pk for thread in pks for pk in thread]
        self.assertEqual(len(set(recorded)), THREADS * SPENDS_PER_THREAD)
        self.assertEqual(SpendLog.objects.count(), THREADS * SPENDS_PER_THREAD)
        self.assert_totals_equal(sum((a for plan in plans for _, a, _ in plan), Decimal(0)))
        self.assert_paused_once_each()

    def test_a_shared_set_of_events_delivered_by_every_thread_counts_once(self) -> None:
        events: list[Spend] = [
            (n % len(self.campaigns), amount, f"evt-{n}")
            for n, amount in enumerate(amounts(2026, SPENDS_PER_THREAD))
        ]
        # Each thread delivers all of them, in its own order.
        plans = [random.Random(thread).sample(events, len(events)) for thread in range(THREADS)]

        pks = self.run_threads(plans)

        by_event = [
            dict(zip(plan, thread, strict=True)) for plan, thread in zip(plans, pks, strict=True)
        ]
        for event in events:
            self.assertEqual(len({ids[event] for ids in by_event}), 1, event)
        self.assertEqual(SpendLog.objects.count(), len(events))
        self.assertEqual(
            sorted(SpendLog.objects.values_list("campaign__name", "external_id", "amount")),
            sorted((self.campaigns[i].name, e, a) for i, a, e in events),
        )
        self.assert_totals_equal(sum((a for _, a, _ in events), Decimal(0)))
        self.assert_paused_once_each()
