"""The alerts the system raised: a read-only list an ad-ops team filters by kind, period, brand."""

from django.contrib import admin

from ads.admin.base import ReadOnlyAdmin
from ads.admin.filters import PickerAdmin, SearchableFilter
from ads.models import BudgetAlert
from ads.periods import zone


@admin.register(BudgetAlert)
class BudgetAlertAdmin(ReadOnlyAdmin, PickerAdmin):
    list_display = (
        "raised",
        "brand",
        "kind",
        "level",
        "period",
        "period_start",
        "message",
        "emailed_at",
    )
    list_filter = ("kind", "period", ("brand", SearchableFilter))
    list_select_related = ("brand",)
    search_fields = ("message",)
    date_hierarchy = "raised_at"

    @admin.display(description="raised at", ordering="raised_at")
    def raised(self, alert: BudgetAlert) -> str:
        """When, in the brand's own zone (named): the zone its days and budgets are in."""
        local = alert.raised_at.astimezone(zone(alert.brand.timezone))
        return f"{local:%Y-%m-%d %H:%M:%S} {alert.brand.timezone}"

    @admin.display(description="level", ordering="threshold")
    def level(self, alert: BudgetAlert) -> str:
        return f"{alert.threshold}%" if alert.kind == BudgetAlert.Kind.THRESHOLD else "-"
