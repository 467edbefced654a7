"""Spends, credits and platform reports at once on one brand, on real PostgreSQL: no lost
update, no deadlock, totals equal to the ledger and never below 0, one entry per report.

Threads, each with its own connection, mix spends, credits and reports on the same campaigns
while the brand's budget pauses and credits bring campaigns back; then every thread sends the
same report at the same moment, as a connector retrying, and one entry is appended.
"""

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

from ads.models import SpendLog
from ads.services import BudgetService
from ads.tests.builders import RowLockTestCase, make_brand, make_campaign, totals, utc

NOON = utc("2026-03-18T12:00:00")
TODAY = date(2026, 3, 18)
THREADS = 6
STEPS = 80
# Refusals a mixed stream may meet: a credit or a report that would take the day below 0.
EXPECTED_REFUSALS = {"over_credit", "below_zero"}


@time_machine.travel(NOON, tick=True)
class ConcurrentCreditAndReportTests(RowLockTestCase):
    def setUp(self) -> None:
        self.brand = make_brand("Hot", daily="40.00", monthly="400.00")
        self.campaigns = [make_campaign(self.brand, f"Campaign {n}") for n in range(3)]

    def run_threads(self, work: Callable[[int], list[str]]) -> list[str]:
        """Run `work(thread index)` in every thread, released at once; the refusals met."""
        start = threading.Barrier(THREADS)

        def run(index: int) -> list[str]:
            try:
                start.wait(timeout=30)
                return work(index)
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            futures = [pool.submit(run, index) for index in range(THREADS)]
            # An error in a thread (a deadlock, a unique violation) is raised here.
            return [code for future in futures for code in future.result(timeout=300)]

    def mixed(self, index: int) -> list[str]:
        rng = random.Random(index)
        refusals: list[str] = []
        for step in range(STEPS):
            campaign = rng.choice(self.campaigns)
            cents = Decimal(rng.randint(1, 100)) / 100
            try:
                match rng.choice(("spend", "spend", "credit", "report")):
                    case "spend":
                        BudgetService.record_spend(campaign, cents)
                    case "credit":
                        BudgetService.record_adjustment(
                            campaign, -cents, "Invalid clicks", external_id=f"cr-{index}-{step}"
                        )
                    case _:
                        # Few distinct totals: threads often send the very same report.
                        total = Decimal(rng.randint(0, 4) * 5)
                        BudgetService.record_reported_spend(
                            campaign, TODAY, total, source="google_ads"
                        )
            except ValidationError as error:
                refusals.extend(e.code or "" for errs in error.error_dict.values() for e in errs)
        return refusals

    def assert_ledger_and_totals_agree(self) -> None:
        ledger = SpendLog.objects.aggregate(total=Sum("amount"))["total"]
        self.assertGreaterEqual(ledger, 0)
        self.assertEqual(totals(self.brand), (ledger, ledger))
        self.assertEqual(BudgetService.find_drift(), [])
        for campaign in self.campaigns:
            own = SpendLog.objects.filter(campaign=campaign).aggregate(total=Sum("amount"))
            self.assertGreaterEqual(own["total"] or 0, 0)

    def test_mixed_spends_credits_and_reports_lose_nothing(self) -> None:
        refusals = self.run_threads(self.mixed)
        self.assertLessEqual(set(refusals), EXPECTED_REFUSALS)
        self.assert_ledger_and_totals_agree()
        # Whatever the order, every campaign serves exactly when its brand is within budget.
        daily, monthly = totals(self.brand)
        within = daily < self.brand.daily_budget and monthly < self.brand.monthly_budget
        for campaign in self.campaigns:
            campaign.refresh_from_db()
            self.assertEqual(campaign.is_active, within)

    def test_the_same_report_from_every_thread_at_once_appends_one_entry(self) -> None:
        campaign = self.campaigns[0]
        BudgetService.record_spend(campaign, "12.00")

        def report(_: int) -> list[str]:
            entry = BudgetService.record_reported_spend(
                campaign, TODAY, "30.00", source="google_ads"
            )
            return [] if entry is None else ["created"]

        self.assertEqual(self.run_threads(report), ["created"])
        reports = SpendLog.objects.filter(kind=SpendLog.Kind.REPORT)
        self.assertEqual(list(reports.values_list("amount", flat=True)), [Decimal("18.00")])
        self.assert_ledger_and_totals_agree()
