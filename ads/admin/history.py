"""The history the system writes (status changes, totals corrections): read, never edited."""

from django.contrib import admin

from ads.admin.base import ReadOnlyAdmin
from ads.admin.columns import StatusReasonsColumn, campaign_brand
from ads.admin.filters import CampaignFilter, PickerAdmin, SearchableFilter
from ads.models import CampaignStatusChange, TotalsCorrection


@admin.register(CampaignStatusChange)
class CampaignStatusChangeAdmin(StatusReasonsColumn, ReadOnlyAdmin, PickerAdmin):
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
class TotalsCorrectionAdmin(ReadOnlyAdmin, PickerAdmin):
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
