"""The history the system writes (status changes, totals corrections): read, never edited."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ads.admin.columns import StatusReasonsColumn, campaign_brand
from ads.admin.filters import CampaignFilter, PickerAdmin, SearchableFilter
from ads.models import CampaignStatusChange, TotalsCorrection


class ReadOnlyAdmin(PickerAdmin):
    """Rows the system writes: anyone with the view permission reads them, nobody edits them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CampaignStatusChange)
class CampaignStatusChangeAdmin(StatusReasonsColumn, ReadOnlyAdmin):
    list_display = (
        "changed_at",
        "campaign",
        campaign_brand,
        "is_active",
        "reasons_text",
        "cause",
        "changed_by",
    )
    list_filter = ("cause", "is_active", ("campaign", CampaignFilter))
    list_select_related = ("campaign__brand", "changed_by")
    date_hierarchy = "changed_at"


@admin.register(TotalsCorrection)
class TotalsCorrectionAdmin(ReadOnlyAdmin):
    list_display = (
        "corrected_at",
        "brand",
        "day",
        "daily_before",
        "daily_after",
        "monthly_before",
        "monthly_after",
    )
    list_filter = (("brand", SearchableFilter),)
    list_select_related = ("brand",)
    date_hierarchy = "corrected_at"
