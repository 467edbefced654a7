"""`manage.py reconcile_spend [--fix]`: check stored brand and campaign totals with the ledger."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ads.services import BudgetService


class Command(BaseCommand):
    help = (
        "Compare every brand's stored daily and monthly totals, and every campaign's daily and "
        "all-time totals, with the ledger's sums for the day and month they belong to. Exits "
        "non-zero on drift; --fix repairs it, re-evaluates the affected campaigns and records "
        "each correction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="Repair the drifted totals.")

    def handle(self, *args: Any, **options: Any) -> None:
        drift = BudgetService.find_drift()
        campaign_drift = BudgetService.find_campaign_drift()
        for item in drift:
            self.stdout.write(
                f"{item.name} ({item.day}): daily stored {item.stored_daily} ledger "
                f"{item.ledger_daily}; monthly stored {item.stored_monthly} ledger "
                f"{item.ledger_monthly}"
            )
        for campaign in campaign_drift:
            self.stdout.write(
                f"Campaign {campaign.name} of {campaign.brand} ({campaign.day}): daily stored "
                f"{campaign.stored_daily} ledger {campaign.ledger_daily}; total stored "
                f"{campaign.stored_total} ledger {campaign.ledger_total}"
            )
        if not drift and not campaign_drift:
            self.stdout.write(
                self.style.SUCCESS("All brand totals match the ledger. So do all campaign totals.")
            )
            return
        if not options["fix"]:
            raise CommandError(
                f"{len(drift)} brand(s) drift from the ledger, and {len(campaign_drift)} "
                "campaign(s); run with --fix."
            )
        result = BudgetService.fix_drift(drift)
        campaigns = BudgetService.fix_campaign_drift(campaign_drift)
        self.stdout.write(
            self.style.SUCCESS(
                f"Repaired {len(drift)} brand(s); campaigns reactivated: "
                f"{len(result.activated) + len(campaigns.activated)}, paused: "
                f"{len(result.paused) + len(campaigns.paused)}. Repaired "
                f"{len(campaign_drift)} campaign total(s)."
            )
        )
