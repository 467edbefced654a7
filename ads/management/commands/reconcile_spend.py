"""`manage.py reconcile_spend [--fix]`: check stored brand totals against the ledger."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ads.services import BudgetService


class Command(BaseCommand):
    help = (
        "Compare every brand's stored daily and monthly totals with the ledger's sums for the "
        "day and month they belong to. Exits non-zero on drift; --fix repairs it, re-evaluates "
        "the affected campaigns and records each correction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="Repair the drifted totals.")

    def handle(self, *args: Any, **options: Any) -> None:
        drift = BudgetService.find_drift()
        for item in drift:
            self.stdout.write(
                f"{item.name} ({item.day}): daily stored {item.stored_daily} ledger "
                f"{item.ledger_daily}; monthly stored {item.stored_monthly} ledger "
                f"{item.ledger_monthly}"
            )
        if not drift:
            self.stdout.write(self.style.SUCCESS("All brand totals match the ledger."))
            return
        if not options["fix"]:
            raise CommandError(f"{len(drift)} brand(s) drift from the ledger; run with --fix.")
        result = BudgetService.fix_drift(drift)
        self.stdout.write(
            self.style.SUCCESS(
                f"Repaired {len(drift)} brand(s); campaigns reactivated: "
                f"{len(result.activated)}, paused: {len(result.paused)}."
            )
        )
