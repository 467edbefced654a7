"""`manage.py reset_budgets`: run the daily/monthly reset now, in this process."""

from typing import Any

from django.core.management.base import BaseCommand

from ads.services import BudgetService


class Command(BaseCommand):
    help = (
        "Roll every brand whose local day (or month) has turned into its new totals, from the "
        "ledger, then reactivate the campaigns whose constraints have cleared. To allow more "
        "spend today, raise the budget: totals always match the ledger."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = BudgetService.reset_daily_monthly_spends()
        for brand in result.rolled:
            period = "day and month" if brand.new_month else "day"
            self.stdout.write(
                f"{brand.name}: new {period} {brand.new_day} (was {brand.old_day}); "
                f"today {brand.daily_spend}, this month {brand.monthly_spend}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Brands rolled over: {len(result.rolled)}; campaigns reactivated: "
                f"{len(result.campaigns.activated)}; campaigns paused: "
                f"{len(result.campaigns.paused)}."
            )
        )
