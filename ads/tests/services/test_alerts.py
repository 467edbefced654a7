"""Threshold and stale-data alerts: raised once per level and period, by the one roll-up, at
the spend that crosses a level; at most one statement added to a spend; the stale-data check
set-based. Emails are the reliability tests' (a real SMTP server and worker)."""

from datetime import timedelta
from decimal import Decimal

import time_machine
from django.core import mail
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from ads.models import Brand, BudgetAlert, Campaign, SpendLog
from ads.rules.alerts import crossed_levels
from ads.services import BudgetService, SpendEntry
from ads.services.alerts import email_alerts, raise_stale_data_alerts
from ads.tests.builders import make_brand, make_campaign, utc

NOON = utc("2026-03-10T12:00:00")
# Tables the budget.alert events write or read (ads.services.events), and the re-read of the
# alerts they publish: the webhooks' cost, counted apart from the alert check's own.
EVENT_TABLES = (
    "ads_event",
    "ads_webhookendpoint",
    "ads_delivery",
    'SELECT "ads_budgetalert"',
)


def own(queries: CaptureQueriesContext) -> list[str]:
    """The statements of `queries` that are not the events'."""
    return [
        q["sql"] for q in queries.captured_queries if not any(t in q["sql"] for t in EVENT_TABLES)
    ]


def levels(period: str = "day") -> list[int]:
    return sorted(
        BudgetAlert.objects.filter(kind="threshold", period=period).values_list(
            "threshold", flat=True
        )
    )


@time_machine.travel(NOON, tick=False)
class ThresholdAlertTests(TestCase):
    def setUp(self) -> None:
        self.brand = make_brand(daily="10000.00", monthly="1000000.00")
        self.brand.currency = "EUR"
        self.brand.save()
        self.campaign = make_campaign(self.brand)

    def spend(self, amount: str) -> SpendLog:
        return BudgetService.record_spend(self.campaign, Decimal(amount))

    def test_one_spend_past_two_levels_raises_one_alert_for_each(self) -> None:
        self.spend("8500.00")
        self.assertEqual(levels(), [50, 80])
        alert = BudgetAlert.objects.get(threshold=80)
        self.assertEqual(
            alert.message,
            "Acme reached 80% of its daily budget for 2026-03-10: "
            "8,500.00 EUR spent of 10,000.00 EUR.",
        )
        self.assertEqual((alert.period, str(alert.period_start)), ("day", "2026-03-10"))
        self.assertEqual(alert.raised_at, NOON)
        self.assertEqual(levels("month"), [])

    def test_a_level_is_raised_at_the_spend_that_reaches_it_and_once_per_day(self) -> None:
        self.spend("4999.99")
        self.assertEqual(levels(), [])
        self.spend("0.01")
        self.assertEqual(levels(), [50])
        self.spend("100.00")
        self.spend("5000.00")
        self.assertEqual(levels(), [50, 80, 100])
        self.spend("9000.00")
        self.assertEqual(BudgetAlert.objects.count(), 3)

    def test_the_next_local_day_raises_them_again(self) -> None:
        self.spend("6000.00")
        with time_machine.travel(NOON + timedelta(days=1), tick=False):
            self.spend("6000.00")
        days = BudgetAlert.objects.values_list("period_start", "threshold").order_by("period_start")
        self.assertEqual([(str(day), level) for day, level in days],
                         [("2026-03-10", 50), ("2026-03-11", 50)])  # fmt: skip

    def test_monthly_levels_and_the_month_named(self) -> None:
        self.brand.monthly_budget = Decimal("20000.00")
        self.brand.save()
        self.spend("9000.00")
        with time_machine.travel(NOON + timedelta(days=1), tick=False):
            self.spend("1000.00")
        self.assertEqual(levels("month"), [50])
        alert = BudgetAlert.objects.get(period="month")
        self.assertEqual(str(alert.period_start), "2026-03-01")
        self.assertIn("50% of its monthly budget for March 2026: 10,000.00 EUR", alert.message)

    def test_a_budget_of_zero_raises_none(self) -> None:
        self.brand.daily_budget = Decimal("0.00")
        self.brand.save()
        self.spend("10.00")
        self.assertEqual(levels(), [])

    def test_the_brands_own_levels_replace_the_default(self) -> None:
        self.brand.alert_thresholds = [25, 120]
        self.brand.save()
        self.spend("13000.00")
        self.assertEqual(levels(), [25, 120])

    @override_settings(BUDGET_ALERT_THRESHOLDS=[10])
    def test_the_sites_levels_when_the_brand_has_none(self) -> None:
        self.spend("1000.00")
        self.assertEqual(levels(), [10])

    def test_a_batch_raises_each_level_once(self) -> None:
        BudgetService.record_spends(
            [SpendEntry(campaign=self.campaign, amount=Decimal("3000.00")) for _ in range(4)]
        )
        self.assertEqual(levels(), [50, 80, 100])

    def test_a_credit_raises_nothing(self) -> None:
        self.spend("4000.00")
        BudgetService.record_adjustment(self.campaign, Decimal("-1000.00"), "invalid clicks")
        self.assertEqual(levels(), [])

    def test_a_spend_after_local_midnight_counts_its_new_day(self) -> None:
        """The brand is still dated yesterday: the roll-up recounts, then judges the levels."""
        with time_machine.travel(NOON + timedelta(days=1), tick=False):
            self.spend("5000.00")
        self.assertEqual(
            list(BudgetAlert.objects.values_list("period_start", "threshold")),
            [(NOON.date() + timedelta(days=1), 50)],
        )

    def test_a_spend_that_crosses_a_level_adds_one_statement(self) -> None:
        self.spend("1.00")  # the brand and campaign rows warm, as on the hot path
        with CaptureQueriesContext(connection) as quiet:
            self.spend("1.00")
        with CaptureQueriesContext(connection) as crossing:
            self.spend("8000.00")
        self.assertEqual(len(own(crossing)), len(own(quiet)) + 1)
        [insert] = [sql for sql in own(crossing) if "ads_budgetalert" in sql]
        self.assertIn("ON CONFLICT DO NOTHING", insert)

    def test_the_alert_is_queued_for_email_only_after_commit(self) -> None:
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            self.spend("6000.00")
        self.assertEqual(len(callbacks), 1)


class CrossedLevelsTests(TestCase):
    def test_levels_are_reached_at_exactly_the_share(self) -> None:
        budget = Decimal("33.33")
        self.assertEqual(crossed_levels(Decimal("0"), Decimal("26.66"), budget=budget,
                                        levels=[80]), [])  # fmt: skip
        self.assertEqual(
            crossed_levels(Decimal("0"), Decimal("26.664"), budget=budget, levels=[80]), [80]
        )


@time_machine.travel(NOON, tick=False)
class StaleDataTests(TestCase):
    def make_brands(self, count: int, *, offset: int = 0) -> None:
        for number in range(offset, offset + count):
            brand = make_brand(f"Brand {number:02}", timezone="America/New_York")
            make_campaign(brand)

    def test_a_serving_brand_without_recent_spend_raises_once_per_local_day(self) -> None:
        with time_machine.travel(NOON - timedelta(days=1), tick=False):
            self.make_brands(1)
        quiet = make_brand("Quiet")  # no serving campaign
        make_campaign(quiet, enabled=False)
        self.assertEqual(len(raise_stale_data_alerts()), 1)
        self.assertEqual(raise_stale_data_alerts(), [])
        alert = BudgetAlert.objects.get()
        self.assertEqual((alert.kind, alert.period, str(alert.period_start)),
                         ("stale_data", "day", "2026-03-10"))  # fmt: skip
        self.assertEqual(
            alert.message,
            "Brand 00 has had no spend recorded for 6 hours while 1 of its campaigns serve: "
            "none has been recorded yet.",
        )
        with time_machine.travel(NOON + timedelta(days=1), tick=False):
            self.assertEqual(len(raise_stale_data_alerts()), 1)

    def test_recent_spend_is_not_stale_and_old_spend_is_named(self) -> None:
        with time_machine.travel(NOON - timedelta(hours=7), tick=False):
            self.make_brands(2)
            first, second = Campaign.objects.order_by("brand__name")
            BudgetService.record_spend(first, Decimal("1.00"))
        BudgetService.record_spend(second, Decimal("1.00"))
        raise_stale_data_alerts()
        alert = BudgetAlert.objects.get(kind="stale_data")
        self.assertEqual(alert.brand_id, first.brand_id)
        self.assertIn("the last was recorded at 2026-03-10 01:00 America/New_York", alert.message)

    def test_the_check_is_two_statements_for_2_or_20_brands(self) -> None:
        with time_machine.travel(NOON - timedelta(days=1), tick=False):
            self.make_brands(2)
        with CaptureQueriesContext(connection) as two:
            self.assertEqual(len(raise_stale_data_alerts()), 2)
        BudgetAlert.objects.all().delete()
        with time_machine.travel(NOON - timedelta(days=1), tick=False):
            self.make_brands(18, offset=2)
        with CaptureQueriesContext(connection) as twenty:
            self.assertEqual(len(raise_stale_data_alerts()), 20)
        self.assertEqual(len(own(two)), 2)
        self.assertEqual(len(own(twenty)), 2)
        self.assertEqual(len(two), len(twenty))  # the events' statements are flat too

    def test_the_check_reads_the_brands_and_never_the_ledger(self) -> None:
        """The ledger only grows and has no index on its recording time: a check that looked
        for each brand's recent entries there cost more with every spend ever recorded."""
        with CaptureQueriesContext(connection) as queries:
            raise_stale_data_alerts()
        self.assertTrue(queries.captured_queries)
        for query in queries.captured_queries:
            self.assertNotIn(SpendLog._meta.db_table, query["sql"])


@time_machine.travel(NOON, tick=False)
class LastRecordedTests(TestCase):
    """Each brand's `last_recorded_at`, which the stale-data check reads, follows its ledger
    whichever way a row comes in."""

    def setUp(self) -> None:
        self.brand = make_brand(timezone="America/New_York")
        self.campaign = make_campaign(self.brand)

    def last_recorded(self) -> object:
        self.brand.refresh_from_db()
        return self.brand.last_recorded_at

    def test_a_new_brand_has_none(self) -> None:
        self.assertIsNone(self.last_recorded())

    def test_record_spend_record_spends_and_a_row_created_in_the_shell_each_set_it(self) -> None:
        for minutes, record in (
            (1, lambda: BudgetService.record_spend(self.campaign, "1.00")),
            (2, lambda: BudgetService.record_spends([SpendEntry(self.campaign, "1.00")])),
            (3, lambda: SpendLog.objects.create(campaign=self.campaign, amount=Decimal("1.00"))),
        ):
            with time_machine.travel(NOON + timedelta(minutes=minutes), tick=False):
                record()
            self.assertEqual(self.last_recorded(), NOON + timedelta(minutes=minutes))

    def test_a_brand_still_dated_yesterday_gets_it_too(self) -> None:
        with time_machine.travel(NOON - timedelta(days=1), tick=False):
            self.brand = make_brand("Yesterday's", timezone="America/New_York")
            campaign = make_campaign(self.brand)
            BudgetService.record_spend(campaign, "1.00")
        BudgetService.record_spend(campaign, "2.00")  # the brand rolls into today
        self.assertEqual(self.last_recorded(), NOON)
        self.assertEqual(self.brand.current_daily_spend, Decimal("2.00"))

    def test_an_earlier_clock_never_moves_it_back(self) -> None:
        BudgetService.record_spend(self.campaign, "1.00")
        with time_machine.travel(NOON - timedelta(seconds=5), tick=False):
            BudgetService.record_spend(self.campaign, "1.00")  # another server, behind
        self.assertEqual(self.last_recorded(), NOON)

    def test_an_edit_of_the_brand_leaves_it_alone(self) -> None:
        stale = Brand.objects.get(pk=self.brand.pk)  # read before the spend, as a form is
        BudgetService.record_spend(self.campaign, "1.00")
        stale.daily_budget = Decimal("500.00")
        stale.save()
        self.assertEqual(self.last_recorded(), NOON)


@time_machine.travel(NOON, tick=False)
class AlertEmailTests(TestCase):
    def test_each_alert_is_emailed_once_to_the_brands_addresses(self) -> None:
        brand = make_brand(daily="1000.00", monthly="100000.00")
        brand.alert_emails = ["ops@example.com", "cfo@example.com"]
        brand.save()
        BudgetService.record_spend(make_campaign(brand), Decimal("900.00"))
        ids = list(BudgetAlert.objects.values_list("pk", flat=True))
        self.assertEqual(email_alerts(ids), 2)
        self.assertEqual(email_alerts(ids), 0)
        self.assertEqual(
            sorted(message.subject for message in mail.outbox),
            ["Acme: 50% of the daily budget reached", "Acme: 80% of the daily budget reached"],
        )
        self.assertEqual(mail.outbox[0].to, ["ops@example.com", "cfo@example.com"])
        self.assertIn("Raised at 2026-03-10 12:00:00 UTC.", mail.outbox[0].body)
        self.assertFalse(BudgetAlert.objects.filter(emailed_at__isnull=True).exists())

    def test_an_alert_with_nobody_to_tell_is_marked_done(self) -> None:
        brand = make_brand(daily="10.00", monthly="1000.00")
        BudgetService.record_spend(make_campaign(brand), Decimal("6.00"))
        self.assertEqual(email_alerts([BudgetAlert.objects.get().pk]), 0)
        self.assertEqual(mail.outbox, [])
        self.assertIsNotNone(BudgetAlert.objects.get().emailed_at)
