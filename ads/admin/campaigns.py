"""The campaign pages: what blocks each campaign, its schedule, history and latest spend, and
the operator's switch. Every change goes through `CampaignService`."""

from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from ads.admin.base import (
    STYLES,
    OneEvaluationAdmin,
    ReadOnlyInline,
    StackedInline,
    operator,
    plural,
)
from ads.admin.columns import (
    StatusReasonsColumn,
    budget_history_table,
    local_instant,
    pace_badge,
    schedule_of,
)
from ads.admin.deletion import SystemHistoryDeletion
from ads.admin.filters import BlockingReasonFilter, PickerAdmin, SearchableFilter
from ads.admin.forms import CAMPAIGN_SEARCH_URL, LATEST_ROWS, DaypartingScheduleForm
from ads.admin.search import CampaignSearchView
from ads.models import Campaign, CampaignStatusChange, DaypartingSchedule, SpendLog
from ads.rules.pacing import pacing
from ads.selectors import campaign_budget_history, with_extra_window_count, with_spend_today
from ads.selectors.resumes import Outlook
from ads.services import CampaignService

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from ads.selectors.campaigns import CampaignWithExtraWindows


class CampaignRowFacts(TypedDict):
    spend_today: Decimal
    blocking_reasons: list[str]
    outlook: Outlook


if TYPE_CHECKING:
    CampaignRow = WithAnnotations[Campaign, CampaignRowFacts]


class CampaignChangeList(ChangeList):
    """Reads the blocking reasons, resume times and scheduled time of the page's campaigns in
    two queries, after paging, at one reading of the clock."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        page = list(self.result_list)
        outlooks = CampaignService.outlooks_by_campaign(
            Campaign.objects.filter(pk__in=[campaign.pk for campaign in page]),
            now=timezone.now(),
        )
        for campaign in page:
            campaign.outlook = outlooks[campaign.pk]
            campaign.blocking_reasons = campaign.outlook.reasons


class DaypartingScheduleInline(StackedInline):
    model = DaypartingSchedule
    form = DaypartingScheduleForm
    extra = 1
    max_num = 1


class StatusHistoryInline(StatusReasonsColumn, ReadOnlyInline):
    model = CampaignStatusChange
    fields = ("changed_at", "is_active", "reasons_text", "cause", "changed_by")
    readonly_fields = fields
    verbose_name_plural = f"Status history (latest {LATEST_ROWS})"

    def get_queryset(self, request: HttpRequest) -> QuerySet[CampaignStatusChange]:
        return super().get_queryset(request).select_related("changed_by")


class LatestSpendInline(ReadOnlyInline):
    model = SpendLog
    fields = ("timestamp", "amount", "description", "external_id", "recorded_at")
    readonly_fields = fields
    verbose_name_plural = f"Latest spend (latest {LATEST_ROWS})"


@admin.register(Campaign)
class CampaignAdmin(OneEvaluationAdmin, SystemHistoryDeletion, PickerAdmin):
    list_display = (
        "name",
        "brand",
        "is_enabled",
        "is_active",
        "blocking_reasons",
        "schedule",
        "spend_today",
        "daily_cap",
        "total_spend",
        "total_cap",
        # Last, so the sort links of the columns before keep their numbers (?o=7).
        "resumes_at",
        "scheduled_pace",
    )
    list_filter = ("is_active", BlockingReasonFilter, "is_enabled", ("brand", SearchableFilter))
    list_select_related = ("brand", "dayparting_schedule")
    search_fields = ("name", "brand__name")
    autocomplete_fields = ("brand",)
    actions = ("enable", "disable", "reevaluate")
    inlines = (DaypartingScheduleInline, StatusHistoryInline, LatestSpendInline)
    fields = ("brand", "name", "is_enabled", "daily_cap", "total_cap", "start_date", "end_date")
    readonly_fields = (
        "is_active",
        "blocking_now",
        "windows",
        "spend_today",
        "total_spend",
        "budget_history",
    )

    class Media:
        css = STYLES

    def get_queryset(self, request: HttpRequest) -> QuerySet[Campaign]:
        return with_extra_window_count(with_spend_today(super().get_queryset(request)))

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return CampaignChangeList

    def get_urls(self) -> list[URLPattern]:
        search = path(
            "search/",
            self.admin_site.admin_view(CampaignSearchView.as_view(admin_site=self.admin_site)),
            name=CAMPAIGN_SEARCH_URL,
        )
        return [search, *super().get_urls()]

    def get_inlines(self, request: HttpRequest, obj: Campaign | None) -> tuple[type[Any], ...]:
        # A campaign not saved yet has no history or spend to show.
        return self.inlines if obj is not None else (DaypartingScheduleInline,)

    def get_fields(self, request: HttpRequest, obj: Campaign | None = None) -> tuple[str, ...]:
        return self.fields if obj is None else (*self.fields, *self.readonly_fields)

    def get_readonly_fields(
        self, request: HttpRequest, obj: Campaign | None = None
    ) -> tuple[str, ...]:
        # State read from the database: nothing to show before the campaign exists.
        return () if obj is None else self.readonly_fields

    @admin.display(description="blocking reasons")
    def blocking_reasons(self, campaign: "CampaignRow") -> str | None:
        return ", ".join(campaign.blocking_reasons) or None

    @admin.display(description="resumes at")
    def resumes_at(self, campaign: "CampaignRow") -> str:
        """When the clock alone brings it back, in its brand's zone; '–' when it serves or
        waits for a person."""
        outlook = campaign.outlook
        return local_instant(outlook.resumes_at, zone=outlook.timezone)

    @admin.display(description="pace of the daily cap over scheduled time")
    def scheduled_pace(self, campaign: "CampaignRow") -> str:
        """Spend today against the daily cap times the share of today's scheduled time gone."""
        if campaign.daily_cap is None:
            return "–"
        share = campaign.outlook.scheduled
        value = pacing(campaign.spend_today, campaign.daily_cap, share=share)
        return pace_badge(value, why_none="A cap of 0, or no scheduled time gone yet today.")

    @admin.display(description="blocking reasons now")
    def blocking_now(self, campaign: Campaign) -> str:
        _, reasons = CampaignService.should_campaign_be_active(campaign)
        return ", ".join(reasons) or "Nothing: every constraint is met."

    @admin.display(description=f"cap and flight changes (latest {LATEST_ROWS} saves)")
    def budget_history(self, campaign: Campaign) -> str:
        return budget_history_table(campaign_budget_history(campaign, limit=LATEST_ROWS))

    @admin.display(description="dayparting windows")
    def windows(self, campaign: Campaign) -> str:
        """The way to the schedule's own page, where its extra windows are edited."""
        schedule = schedule_of(campaign)
        if schedule is None:
            return "Always on: add a schedule below to set its first window."
        url = reverse("admin:ads_daypartingschedule_change", args=[schedule.pk])
        count = schedule.extra_windows.count()
        return format_html('<a href="{}">Edit the windows ({} more)</a>', url, count)

    @admin.display(description="schedule")
    def schedule(self, campaign: "CampaignWithExtraWindows") -> str:
        schedule = schedule_of(campaign)
        if schedule is None:
            return "Always"
        more = campaign.extra_windows
        return schedule.describe() + (f" +{plural(more, noun='window')}" if more else "")

    @admin.display(description="spend today", ordering="spend_today")
    def spend_today(self, campaign: "CampaignRow") -> Decimal:
        return campaign.spend_today

    @admin.action(description="Enable the selected campaigns", permissions=["change"])
    def enable(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        changed = CampaignService.set_enabled(queryset, True, by=operator(request))
        self.message_user(request, f"Enabled {plural(changed, noun='campaign')}.")

    @admin.action(description="Disable the selected campaigns", permissions=["change"])
    def disable(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        changed = CampaignService.set_enabled(queryset, False, by=operator(request))
        self.message_user(request, f"Disabled {plural(changed, noun='campaign')}.")

    @admin.action(description="Re-evaluate the selected campaigns now", permissions=["change"])
    def reevaluate(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        result = CampaignService.sync(
            queryset, CampaignStatusChange.Cause.OPERATOR, by=operator(request)
        )
        self.message_user(
            request,
            f"Re-evaluated: {plural(len(result.activated), noun='campaign')} activated, "
            f"{len(result.paused)} paused.",
        )
