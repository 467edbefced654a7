"""The ledger's hand-written writes: rows and ids as the ORM would store them, and what a spend
sends to the database.

A spend's cost is mostly round trips and Python (docs/BENCHMARKS.md), so the statements it sends
are held here: a regression that adds one fails a test, not only a benchmark.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from ads.models import Brand, Campaign, SpendLog
from ads.services import BudgetService, SpendEntry
from ads.services.entries import new_spend
from ads.sql.ledger import insert_entries, insert_unless_known, known_spends
from ads.tests.builders import make_brand, make_campaign, utc

NOW = utc("2026-03-18T12:00:00")


def statements(queries: CaptureQueriesContext) -> list[str]:
    """The statements sent, without the test transaction's savepoints."""
    return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]


@time_machine.travel(NOW, tick=False)
class InsertEntriesTests(TestCase):
    def setUp(self) -> None:
        brand = make_brand("Acme")
        self.first, self.second = make_campaign(brand, "One"), make_campaign(brand, "Two")

    def test_each_row_gets_the_id_it_was_stored_under_in_input_order(self) -> None:
        entries = [
            new_spend(self.first, "1.25", "a", external_id="x-1"),
            new_spend(self.second, "2.50", "b"),
            new_spend(self.first, "3.75", "c", timestamp=NOW - timedelta(hours=1)),
        ]

        insert_entries(entries)

        for entry in entries:
            stored = SpendLog.objects.get(pk=entry.pk)
            self.assertEqual(
                (stored.campaign_id, stored.amount, stored.description, stored.timestamp),
                (entry.campaign_id, entry.amount, entry.description, entry.timestamp),
            )
            self.assertEqual(stored.external_id, entry.external_id)
            self.assertEqual(stored.recorded_at, NOW)
            self.assertFalse(entry._state.adding)
        self.assertEqual(SpendLog.objects.count(), 3)

    def test_a_known_pair_is_not_inserted_again_and_the_rest_are(self) -> None:
        insert_entries([new_spend(self.first, "1.00", external_id="x-1")])
        again = new_spend(self.first, "9.00", external_id="x-1")
        other_campaign = new_spend(self.second, "2.00", external_id="x-1")
        no_id = new_spend(self.first, "3.00")
        named_none = new_spend(self.first, "4.00", external_id="None")

        skipped = insert_unless_known([no_id, again, other_campaign, named_none])

        self.assertEqual(skipped, [again])
        self.assertIsNone(again.pk)
        for entry in (no_id, other_campaign, named_none):
            self.assertEqual(SpendLog.objects.get(pk=entry.pk).amount, entry.amount)
        self.assertEqual(
            SpendLog.objects.get(campaign=self.first, external_id="x-1").amount, Decimal("1.00")
        )
        self.assertEqual(SpendLog.objects.count(), 4)

    def test_known_spends_finds_each_pair_on_record_and_no_other(self) -> None:
        recorded = [new_spend(self.first, "1.00", external_id=f"x-{n}") for n in range(3)]
        insert_entries(recorded)
        asked = [
            new_spend(self.first, "1.00", external_id="x-1"),
            new_spend(self.second, "1.00", external_id="x-1"),
            new_spend(self.first, "1.00", external_id="x-9"),
            new_spend(self.first, "1.00"),
        ]

        found = known_spends(asked)

        self.assertEqual(list(found), [(self.first.pk, "x-1")])
        self.assertEqual(found[(self.first.pk, "x-1")].pk, recorded[1].pk)


def prepared_text(sql: str) -> str:
    """The text of the statement `sql` runs: a prepared statement's own, for an EXECUTE."""
    if not sql.startswith("EXECUTE "):
        return sql
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE name = %s", [sql.split()[1]]
        )
        return str(cursor.fetchone()[0]).split(" AS ", 1)[1]


@pytest.mark.postgresql(reason="the statements counted are PostgreSQL's (SQLite takes more)")
@time_machine.travel(NOW, tick=False)
class SpendStatementTests(TestCase):
    def setUp(self) -> None:
        self.brand = make_brand("Acme", daily="100.00")
        self.campaigns = [make_campaign(self.brand, f"C{n}") for n in range(3)]

    def test_a_spend_sends_its_lock_with_its_insert_and_one_write_of_every_total(self) -> None:
        # The connection's first spend prepares both statements (ads.sql.prepared).
        BudgetService.record_spend(self.campaigns[1], "1.00")

        with CaptureQueriesContext(connection) as queries:
            BudgetService.record_spend(self.campaigns[0], "1.00", external_id="e-1")

        sent = [prepared_text(sql) for sql in statements(queries)]
        self.assertEqual(len(sent), 2, sent)
        self.assertIn("FOR NO KEY UPDATE", sent[0])
        self.assertIn("ON CONFLICT DO NOTHING", sent[0])
        self.assertTrue(sent[1].startswith("WITH brand_totals AS (UPDATE"), sent[1])
        brand = Brand.objects.get()
        campaign = Campaign.objects.get(pk=self.campaigns[0].pk)
        self.assertEqual(brand.current_daily_spend, Decimal("2.00"))
        self.assertEqual(campaign.current_daily_spend, Decimal("1.00"))
        self.assertEqual(campaign.total_spend, Decimal("1.00"))

    def test_a_spend_on_a_brand_already_over_adds_only_the_check_that_nothing_serves(
        self,
    ) -> None:
        BudgetService.record_spend(self.campaigns[1], "100.00")  # over: every campaign paused
        BudgetService.record_spend(self.campaigns[1], "1.00")  # prepares the check

        with CaptureQueriesContext(connection) as queries:
            BudgetService.record_spend(self.campaigns[0], "1.00")

        sent = [prepared_text(sql) for sql in statements(queries)]
        # The lock with the insert, the totals, the check: no lock or read of a re-evaluation.
        self.assertEqual(len(sent), 3, sent)
        self.assertIn('"is_active" AND "brand_id" = $1', sent[2])
        self.assertEqual(Brand.objects.get().current_daily_spend, Decimal("102.00"))
        self.assertFalse(Campaign.objects.filter(is_active=True).exists())

    def test_a_known_external_id_adds_only_the_read_of_the_row_on_record(self) -> None:
        first = BudgetService.record_spend(self.campaigns[0], "1.00", external_id="e-1")

        with CaptureQueriesContext(connection) as queries:
            again = BudgetService.record_spend(self.campaigns[0], "1.00", external_id="e-1")

        self.assertEqual(again.pk, first.pk)
        self.assertEqual(len(statements(queries)), 2)  # the lock with the insert, the read
        self.assertEqual(Brand.objects.get().current_daily_spend, Decimal("1.00"))

    def test_a_batch_sends_the_same_statements_for_3_and_300_entries(self) -> None:
        def sent_for(size: int) -> list[str]:
            entries = [
                SpendEntry(self.campaigns[n % 3], "0.01", external_id=f"{size}-{n}")
                for n in range(size)
            ]
            with CaptureQueriesContext(connection) as queries:
                BudgetService.record_spends(entries)
            return statements(queries)

        small, large = sent_for(3), sent_for(300)

        # The lock, the insert (which skips known ids), the totals.
        self.assertEqual(len(small), 3, small)
        self.assertEqual(len(large), 3, large)
        self.assertEqual(Brand.objects.get().current_daily_spend, Decimal("3.03"))

    def test_a_batch_with_known_ids_reads_the_rows_on_record_in_one_more_statement(self) -> None:
        BudgetService.record_spends([SpendEntry(self.campaigns[0], "1.00", external_id="k-0")])
        entries = [
            SpendEntry(self.campaigns[n % 3], "0.01", external_id=f"k-{n % 5}") for n in range(30)
        ]

        with CaptureQueriesContext(connection) as queries:
            rows = BudgetService.record_spends(entries)

        # The lock, the insert, the rows on record, the totals.
        self.assertEqual(len(statements(queries)), 4, statements(queries))
        # 15 pairs (n % 3, n % 5), one of them on record from before: 14 rows added.
        self.assertEqual(rows[0].amount, Decimal("1.00"))
        self.assertEqual(len({row.pk for row in rows}), 15)
        self.assertEqual(SpendLog.objects.count(), 15)
