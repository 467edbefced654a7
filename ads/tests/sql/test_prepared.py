"""A single spend's statements run prepared, once per connection, and a spend is the same with
them or without them (behind a transaction-pooling PgBouncer, where they are off)."""

from decimal import Decimal

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext

from ads.models import Brand, Campaign, SpendLog
from ads.services import BudgetService
from ads.sql.prepared import execute_prepared, uses_prepared_statements
from ads.tests.builders import make_brand, make_campaign, utc

NOW = utc("2026-03-18T12:00:00")


def prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def first_words(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"].split()[0] for q in queries.captured_queries]


@pytest.mark.postgresql(reason="prepared statements are PostgreSQL's")
@time_machine.travel(NOW, tick=False)
class PreparedSpendTests(TransactionTestCase):
    def setUp(self) -> None:
        # A new connection: nothing prepared on it yet.
        connection.close()
        self.brand = make_brand("Acme", daily="100.00", monthly="1000.00")
        self.campaign = make_campaign(self.brand, "One")

    def spend(self, amount: str) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            BudgetService.record_spend(self.campaign, amount)
        return [word for word in first_words(queries) if word not in {"BEGIN", "COMMIT"}]

    def assert_totals(self, expected: str) -> None:
        brand = Brand.objects.get(pk=self.brand.pk)
        campaign = Campaign.objects.get(pk=self.campaign.pk)
        self.assertEqual(brand.current_daily_spend, Decimal(expected))
        self.assertEqual(brand.current_monthly_spend, Decimal(expected))
        self.assertEqual(campaign.current_daily_spend, Decimal(expected))
        self.assertEqual(campaign.total_spend, Decimal(expected))
        self.assertEqual(sum(s.amount for s in SpendLog.objects.all()), Decimal(expected))

    def test_the_first_spend_prepares_each_statement_and_later_ones_only_execute(self) -> None:
        self.assertTrue(uses_prepared_statements())

        first, second = self.spend("1.25"), self.spend("2.50")

        self.assertEqual(first, ["PREPARE", "EXECUTE", "PREPARE", "EXECUTE"])
        self.assertEqual(second, ["EXECUTE", "EXECUTE"])
        self.assertEqual(len(prepared_names()), 2)
        self.assert_totals("3.75")

    def test_a_spends_statements_are_planned_once_not_at_every_run(self) -> None:
        # PostgreSQL plans a prepared statement's first 5 runs for their values, then keeps a
        # generic plan only if it is not dearer. With array parameters, on tables of some size,
        # it never is: the statement would be planned at every run, as if not prepared.
        brands = Brand.objects.bulk_create(
            Brand(
                name=f"B{n}",
                daily_budget=Decimal("100.00"),
                monthly_budget=Decimal("1000.00"),
                spend_day=self.brand.spend_day,
                spend_month=self.brand.spend_month,
            )
            for n in range(1000)
        )
        Campaign.objects.bulk_create(
            Campaign(brand=brand, name=f"C{n}") for brand in brands for n in range(10)
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE ads_brand, ads_campaign")
        for _ in range(8):
            self.spend("1.00")

        with connection.cursor() as cursor:
            cursor.execute("SELECT generic_plans FROM pg_prepared_statements")
            generic = [count for (count,) in cursor.fetchall()]
        self.assertEqual(len(generic), 2)
        self.assertTrue(all(count >= 3 for count in generic), generic)
        self.assert_totals("8.00")

    def test_a_new_connection_prepares_again(self) -> None:
        self.spend("1.00")
        connection.close()

        self.assertEqual(prepared_names(), set())
        self.assertEqual(self.spend("2.00"), ["PREPARE", "EXECUTE", "PREPARE", "EXECUTE"])
        self.assert_totals("3.00")

    def test_a_statement_that_failed_on_its_first_run_stays_prepared(self) -> None:
        sql = "SELECT 100 / %s::int, '%%'"
        with self.assertRaises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            execute_prepared(cursor, sql, [0])

        with connection.cursor() as cursor:
            execute_prepared(cursor, sql, [4])
            self.assertEqual(cursor.fetchone(), (25, "%"))

    def test_behind_a_transaction_pooler_a_spend_is_plain_text_and_the_same(self) -> None:
        connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True
        try:
            self.assertFalse(uses_prepared_statements())
            sent = self.spend("1.25") + self.spend("2.50")
        finally:
            connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = False

        self.assertEqual(sent, ["WITH", "WITH", "WITH", "WITH"])
        self.assertEqual(prepared_names(), set())
        self.assert_totals("3.75")
