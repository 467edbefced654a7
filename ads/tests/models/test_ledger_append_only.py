"""The ledger is append-only in the database itself (PostgreSQL), not only above the ORM.

Migration 0004's trigger refuses UPDATE and DELETE of spend rows, however they are sent: the
ORM's bulk `update()` and `delete()`, which go around `SpendLog.save()` and `delete()`, and raw
SQL. `manage.py check` warns when the trigger is gone or disabled (ads.W001). Schema changes a
later migration makes (a column, a wider column, a constraint, an index) pass the trigger and
leave every row as it was; one that would rewrite rows is refused.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import partial
from io import StringIO
from typing import Any
from unittest import skipUnless

from django.core.management import call_command
from django.db import IntegrityError, connection, migrations, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q
from django.test import TestCase, TransactionTestCase

from ads.checks import W001, check_ledger_trigger
from ads.models import Campaign, SpendLog
from ads.services import BudgetService
from ads.sql.ledger_guard import LEDGER_TRIGGER
from ads.tests.builders import make_campaign, totals

ON_POSTGRESQL = skipUnless(connection.vendor == "postgresql", "the trigger is PostgreSQL's")
TABLE = SpendLog._meta.db_table
REFUSED = "The spend ledger is append-only"


def ledger_rows() -> list[tuple[Any, ...]]:
    """Every spend row, every column the model has, read fresh."""
    names = [field.attname for field in SpendLog._meta.concrete_fields]
    return list(SpendLog.objects.order_by("pk").values_list(*names))


def record_two_spends() -> Campaign:
    campaign = make_campaign()
    BudgetService.record_spend(campaign, "12.50", "first", external_id="event-1")
    BudgetService.record_spend(campaign, "7.25")  # no external id: NULL in the column
    return campaign


def run_sql(sql: str, params: list[str] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a transaction (a savepoint inside a test's) that is rolled back."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@ON_POSTGRESQL
class TriggerRefusesRewritesTests(TestCase):
    def setUp(self) -> None:
        self.campaign = record_two_spends()
        self.before = ledger_rows()
        self.totals = totals(self.campaign.brand)

    def assert_refused(self, attempt: Callable[[], object]) -> None:
        with self.assertRaisesMessage(IntegrityError, REFUSED), transaction.atomic():
            attempt()
        self.assertEqual(ledger_rows(), self.before)
        self.assertEqual(totals(self.campaign.brand), self.totals)

    def test_a_bulk_update_through_the_orm_is_refused(self) -> None:
        self.assert_refused(
            lambda: SpendLog.objects.filter(amount=Decimal("12.50")).update(amount=Decimal("0.01"))
        )
        self.assert_refused(lambda: SpendLog.objects.update(description="rewritten"))

    def test_a_bulk_delete_through_the_orm_is_refused(self) -> None:
        self.assert_refused(lambda: SpendLog.objects.filter(external_id="event-1").delete())
        self.assert_refused(lambda: SpendLog.objects.all().delete())

    def test_raw_sql_update_and_delete_are_refused(self) -> None:
        for sql in (
            f"UPDATE {TABLE} SET amount = amount * 2",  # noqa: S608 - a constant table name
            f"DELETE FROM {TABLE}",  # noqa: S608
        ):
            with self.subTest(sql):
                self.assert_refused(partial(run_sql, sql))

    def test_new_rows_are_still_appended(self) -> None:
        BudgetService.record_spend(self.campaign, "1.00")
        self.assertEqual(len(ledger_rows()), len(self.before) + 1)


@ON_POSTGRESQL
class TruncateTests(TransactionTestCase):
    def test_truncate_is_left_to_the_test_framework(self) -> None:
        # Django's flush between TransactionTestCases empties the tables with TRUNCATE.
        record_two_spends()
        before = ledger_rows()
        with rolled_back():
            run_sql(f"TRUNCATE {TABLE} CASCADE")
            self.assertEqual(ledger_rows(), [])
        self.assertEqual(ledger_rows(), before)


@ON_POSTGRESQL
class LedgerTriggerCheckTests(TestCase):
    def warnings(self) -> list[str]:
        return [
            message.id or "" for message in check_ledger_trigger(app_configs=None, databases=None)
        ]

    def test_no_warning_while_the_trigger_is_in_place(self) -> None:
        self.assertEqual(self.warnings(), [])
        out = StringIO()
        call_command("check", stdout=out, stderr=out)
        self.assertNotIn(W001, out.getvalue())

    def test_manage_py_check_warns_when_the_trigger_is_dropped(self) -> None:
        with rolled_back():
            run_sql(f"DROP TRIGGER {LEDGER_TRIGGER} ON {TABLE}")
            out = StringIO()
            call_command("check", stdout=out, stderr=out)
            self.assertIn(W001, out.getvalue())
            self.assertIn(f"{LEDGER_TRIGGER} is missing", out.getvalue())
            self.assertIn("recorded as applied", out.getvalue())
        # The drop rolled back: the trigger is there again and refuses.
        self.assertEqual(self.warnings(), [])

    def test_it_warns_when_the_trigger_is_disabled(self) -> None:
        with rolled_back():
            run_sql(f"ALTER TABLE {TABLE} DISABLE TRIGGER {LEDGER_TRIGGER}")
            messages = check_ledger_trigger(app_configs=None, databases=None)
            self.assertEqual([m.id for m in messages], [W001])
            self.assertIn("does not fire", messages[0].msg)
            self.assertIn("ENABLE TRIGGER", messages[0].hint or "")

    def test_before_the_migration_it_says_to_migrate(self) -> None:
        with rolled_back():
            run_sql(f"DROP TRIGGER {LEDGER_TRIGGER} ON {TABLE}")
            run_sql(
                "DELETE FROM django_migrations WHERE app = 'ads' AND name = %s",
                ["0004_ledger_append_only"],
            )
            messages = check_ledger_trigger(app_configs=None, databases=None)
            self.assertEqual([m.id for m in messages], [W001])
            self.assertEqual(messages[0].hint, "Apply the migrations: manage.py migrate")


@ON_POSTGRESQL
class LaterMigrationsTests(TransactionTestCase):
    """Schema operations run as a migration runs them, against committed ledger rows, each
    rolled back afterwards."""

    def setUp(self) -> None:
        record_two_spends()
        self.before = ledger_rows()

    def run_operation(self, operation: migrations.operations.base.Operation) -> None:
        state = MigrationExecutor(connection).loader.project_state()
        new_state = state.clone()
        operation.state_forwards("ads", new_state)
        with connection.schema_editor() as editor:
            operation.database_forwards("ads", editor, state, new_state)

    def test_schema_changes_pass_the_trigger_and_rewrite_no_row(self) -> None:
        operations = {
            "a new column with a default": migrations.AddField(
                "spendlog", "channel", models.CharField(max_length=20, default="search")
            ),
            "a wider column": migrations.AlterField(
                "spendlog", "description", models.CharField(max_length=1000, blank=True, default="")
            ),
            "a new check constraint": migrations.AddConstraint(
                "spendlog",
                models.CheckConstraint(condition=Q(amount__lt=10**12), name="spendlog_cap"),
            ),
            "a new index": migrations.AddIndex(
                "spendlog", models.Index(fields=("external_id",), name="spendlog_external")
            ),
        }
        for name, operation in operations.items():
            with self.subTest(name), rolled_back():
                self.run_operation(operation)
                self.assertEqual(ledger_rows(), self.before)
        self.assertEqual(ledger_rows(), self.before)

    def test_a_change_that_would_rewrite_rows_is_refused(self) -> None:
        # NULL external ids to NOT NULL with a default: Django fills the NULLs with an UPDATE.
        operation = migrations.AlterField(
            "spendlog", "external_id", models.CharField(max_length=200, default="")
        )
        with self.assertRaisesMessage(IntegrityError, REFUSED), rolled_back():
            self.run_operation(operation)
        self.assertEqual(ledger_rows(), self.before)
