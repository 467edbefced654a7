"""The brand pages: budgets and spend at a glance, a brand's summary and its last 14 days."""

from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ads.admin.base import STYLES, OneEvaluationAdmin, TabularInline
from ads.admin.columns import budget_history_table, local_instant, pace_badge, usage
from ads.admin.dashboard import brand_charts
from ads.admin.deletion import SystemHistoryDeletion
from ads.admin.filters import OverBudgetFilter
from ads.admin.forms import LATEST_ROWS, BrandForm
from ads.models import Brand, Campaign
from ads.selectors import brand_budget_history, brand_spend_by_day
from ads.selectors.pacing import BrandPace, brand_pace
from ads.services import BudgetService

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec
    from django_stubs_ext import WithAnnotations


class CampaignCounts(TypedDict):
    active_campaigns: int
    total_campaigns: int
    pace: BrandPace


if TYPE_CHECKING:
    BrandRow = WithAnnotations[Brand, CampaignCounts]


class BrandChangeList(ChangeList):
    """Paces the page's brands from their rows, at one reading of the clock: no query per row."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        now = timezone.now()
        for brand in self.result_list:
            brand.pace = brand_pace(brand, now=now)


NO_PACE = "No budget, or no time gone yet in the period."


class CampaignInline(TabularInline):
    model = Campaign
    fields = ("name", "is_enabled", "is_active")
    readonly_fields = ("is_active",)
    extra = 0
    show_change_link = True


@admin.register(Brand)
class BrandAdmin(OneEvaluationAdmin, SystemHistoryDeletion):
    form = BrandForm
    list_display = (
        "name",
        "timezone",
        "spend_today",
        "spend_this_month",
        "pace_today",
        "pace_this_month",
        "projected",
        "over_by",
        "campaigns_serving",
    )
    list_filter = (OverBudgetFilter, "timezone")
    search_fields = ("name",)
    # Explicit: the campaign counts' GROUP BY would drop Meta.ordering (the brand picker pages).
    ordering = ("name",)
    readonly_fields = ("summary", "charts", "last_14_days", "budget_history")
    add_fieldsets: "_FieldsetSpec" = (
        (None, {"fields": ("name", "timezone", "daily_budget", "monthly_budget")}),
    )
    fieldsets = (
        *add_fieldsets,
        ("Spend", {"fields": ("summary", "charts", "last_14_days")}),
        ("Budget history", {"fields": ("budget_history",)}),
    )
    inlines = (CampaignInline,)

    class Media:
        css = STYLES

    def get_queryset(self, request: HttpRequest) -> QuerySet[Brand]:
        brands: QuerySet[Brand] = super().get_queryset(request)
        return brands.annotate(
            active_campaigns=Count("campaigns", filter=Q(campaigns__is_active=True)),
            total_campaigns=Count("campaigns"),
        )

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return BrandChangeList

    def get_fieldsets(self, request: HttpRequest, obj: Brand | None = None) -> "_FieldsetSpec":
        # The spend of a brand not saved yet is nothing to show.
        return self.add_fieldsets if obj is None else self.fieldsets

    @admin.display(description="today", ordering="current_daily_spend")
    def spend_today(self, brand: Brand) -> SafeString:
        return usage(brand.current_daily_spend, budget=brand.daily_budget)

    @admin.display(description="this month", ordering="current_monthly_spend")
    def spend_this_month(self, brand: Brand) -> SafeString:
        return usage(brand.current_monthly_spend, budget=brand.monthly_budget)

    @admin.display(description="pace today")
    def pace_today(self, brand: "BrandRow") -> SafeString:
        return pace_badge(brand.pace.day.pacing, why_none=NO_PACE)

    @admin.display(description="pace this month")
    def pace_this_month(self, brand: "BrandRow") -> SafeString:
        return pace_badge(brand.pace.month.pacing, why_none=NO_PACE)

    @admin.display(description="projected at the end of")
    def projected(self, brand: "BrandRow") -> SafeString:
        pace = brand.pace
        return format_html(
            "day {}<br>month {}<br><small>day resets {}</small>",
            "–" if pace.day.projected is None else pace.day.projected,
            "–" if pace.month.projected is None else pace.month.projected,
            local_instant(pace.day_resets_at, zone=brand.timezone),
        )

    @admin.display(description="over budget by")
    def over_by(self, brand: "BrandRow") -> SafeString:
        pace = brand.pace
        return format_html(
            '<span class="{}">day {}</span><br><span class="{}">month {}</span>',
            "ads-over" if pace.day.overspend else "",
            pace.day.overspend,
            "ads-over" if pace.month.overspend else "",
            pace.month.overspend,
        )

    @admin.display(description="serving", ordering="active_campaigns")
    def campaigns_serving(self, brand: "BrandRow") -> str:
        return f"{brand.active_campaigns} of {brand.total_campaigns}"

    @admin.display(description="budgets and spend")
    def summary(self, brand: Brand) -> str:
        context = {"summary": BudgetService.get_brand_summary(brand)}
        return render_to_string("admin/ads/brand/summary.html", context)

    @admin.display(description=f"budget changes (latest {LATEST_ROWS} saves)")
    def budget_history(self, brand: Brand) -> str:
        return budget_history_table(brand_budget_history(brand, limit=LATEST_ROWS))

    @admin.display(description="charts")
    def charts(self, brand: Brand) -> str:
        return brand_charts(brand)

    @admin.display(description="last 14 days")
    def last_14_days(self, brand: Brand) -> str:
        days = brand_spend_by_day(brand, days=14)
        top = max((day.amount for day in days), default=Decimal(0)) or Decimal(1)
        rows = [(day, (day.amount * 100 / top).quantize(Decimal(1))) for day in days]
        return render_to_string("admin/ads/brand/spend_by_day.html", {"rows": rows})
