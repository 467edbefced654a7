"""The admin an ad-ops team works in.

List pages read everything set-based (annotations, select_related, one read of the campaigns'
facts per page), so a page costs the same number of queries whatever the number of rows. Every
write goes through the services: spend through `BudgetService.record_spend`, the operator's
switch through `CampaignService.set_enabled`. Ledger rows and history are read-only for everyone.
"""

import csv
from collections.abc import Iterator, Sequence
from decimal import ROUND_DOWN, Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_model_from_relation
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import smart_split, unescape_string_literal

from ads.campaign_reasons import FactGroup, fact_groups, in_groups
from ads.forms import (
    CAMPAIGN_SEARCH_URL,
    LATEST_ROWS,
    BrandForm,
    DaypartingScheduleForm,
    LatestRowsFormSet,
    SpendLogForm,
    campaign_label,
)
from ads.models import (
    Brand,
    Campaign,
    CampaignStatusChange,
    DaypartingSchedule,
    SpendLog,
    TotalsCorrection,
)
from ads.selectors import brand_spend_by_day, with_spend_today
from ads.services import (
    DAILY_EXCEEDED,
    DISABLED,
    MONTHLY_EXCEEDED,
    OUTSIDE_WINDOW,
    BudgetService,
    CampaignService,
)

if TYPE_CHECKING:
    from django.contrib.admin.filters import _ListFilterChoices
    from django.contrib.admin.options import _FieldsetSpec
    from django.db.models.fields.related import RelatedField
    from django.utils.functional import _StrOrPromise
    from django_stubs_ext import WithAnnotations

    # The admin's classes are generic only in django-stubs: no runtime __class_getitem__.
    ModelAdmin = admin.ModelAdmin[Any]
    TabularInline = admin.TabularInline[Any, Any]
    StackedInline = admin.StackedInline[Any, Any]
else:
    ModelAdmin = admin.ModelAdmin
    TabularInline = admin.TabularInline
    StackedInline = admin.StackedInline

admin.site.site_header = "Ad budgets"
admin.site.site_title = "Ad budgets"
admin.site.index_title = "Brands, campaigns and spend"

STYLES = {"all": ("ads/admin.css",)}


class CampaignCounts(TypedDict):
    active_campaigns: int
    total_campaigns: int


class CampaignRowFacts(TypedDict):
    spend_today: Decimal
    blocking_reasons: list[str]


if TYPE_CHECKING:
    BrandRow = WithAnnotations[Brand, CampaignCounts]
    CampaignRow = WithAnnotations[Campaign, CampaignRowFacts]


def usage(spend: Decimal, budget: Decimal, remaining: Decimal, exceeded: bool) -> SafeString:
    """Spend against budget over a bar of the share used: amber from 80%, red once exceeded.

    Past the budget it says by how much ("249.00 over"): "0.00 left" hides the overrun.
    """
    percent = (spend * 100 / budget).quantize(Decimal(1), ROUND_DOWN) if budget else None
    level = "over" if exceeded else "warn" if percent is not None and percent >= 80 else "ok"
    label = "no budget" if percent is None else f"{percent}%"
    balance = f"{spend - budget} over" if spend > budget else f"{remaining} left"
    return format_html(
        '<span class="ads-spend">{}</span> of {}<br>'
        '<span class="ads-usage ads-usage-{}" title="{} of the budget">'
        '<span class="ads-usage-bar" style="width: {}%"></span></span> '
        "<small>{} · {}</small>",
        spend,
        budget,
        level,
        label,
        100 if percent is None else min(percent, 100),
        label,
        balance,
    )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def schedule_of(campaign: Campaign) -> DaypartingSchedule | None:
    try:
        return campaign.dayparting_schedule
    except DaypartingSchedule.DoesNotExist:
        return None


@admin.display(description="brand", ordering="campaign__brand__name")
def campaign_brand(row: SpendLog | CampaignStatusChange) -> str:
    return row.campaign.brand.name


class SearchableFilter(admin.RelatedFieldListFilter):
    """A brand or campaign filter picked by searching (the admin's own select2 autocomplete).

    At agency scale a list of links would hold every brand or campaign (megabytes of sidebar),
    and "Show counts" would ask for one count per link in one SELECT, past PostgreSQL's 1,664
    target-list entries. This lists nothing and counts nothing: it shows the chosen object and
    a search box whose pick reloads the list filtered on it (ads/searchable_filter.js).
    """

    template = "admin/ads/searchable_filter.html"
    search_url = "admin:autocomplete"

    def field_choices(
        self, field: "RelatedField[Any, Any]", request: HttpRequest, model_admin: ModelAdmin
    ) -> "list[tuple[str, _StrOrPromise]]":
        return []

    def has_output(self) -> bool:
        return True

    def choices(self, changelist: ChangeList) -> "Iterator[_ListFilterChoices]":
        yield {
            "selected": not self.lookup_val,
            "query_string": changelist.get_query_string(
                remove=[self.lookup_kwarg, self.lookup_kwarg_isnull]
            ),
            "display": "All",
        }

    def label(self, obj: Any) -> str:
        return str(obj)

    def related_objects(self) -> "QuerySet[Any]":
        return get_model_from_relation(self.field)._default_manager.all()

    @cached_property
    def picked(self) -> tuple[str, str] | None:
        """The chosen object's id and label, read once; None when nothing (valid) is chosen."""
        if not self.lookup_val:
            return None
        value = self.lookup_val[-1]
        try:
            obj = self.related_objects().filter(pk=value).first()
        except (ValueError, ValidationError):
            return None
        return None if obj is None else (str(value), self.label(obj))

    @property
    def source(self) -> dict[str, str]:
        """What the autocomplete view is told: the foreign key the search is for."""
        meta = self.field.model._meta
        return {"app_label": meta.app_label, "model_name": str(meta.model_name)}


class CampaignFilter(SearchableFilter):
    """Campaign names repeat across brands: results and the pick read 'Brand / Campaign'."""

    search_url = f"admin:{CAMPAIGN_SEARCH_URL}"

    def label(self, obj: Campaign) -> str:
        return campaign_label(obj)

    def related_objects(self) -> QuerySet[Campaign]:
        return Campaign.objects.select_related("brand")


class CampaignSearchView(AutocompleteJsonView):
    """The admin's autocomplete answers for campaigns, each labelled 'Brand / Campaign'."""

    def get_queryset(self) -> QuerySet[Campaign]:
        campaigns: QuerySet[Campaign] = super().get_queryset()
        return campaigns.select_related("brand")

    def serialize_result(self, obj: Campaign, to_field_name: str) -> dict[str, str]:
        return {"id": str(getattr(obj, to_field_name)), "text": campaign_label(obj)}


def picker_media() -> forms.Media:
    """Django's select2 autocomplete, loaded as its own widgets load it, and the step that
    applies a filter's pick."""
    widget = AutocompleteSelect(Campaign._meta.get_field("brand"), admin.site)
    # Listed after jquery.init.js, which defines the `django.jQuery` it uses.
    return widget.media + forms.Media(js=["admin/js/jquery.init.js", "ads/searchable_filter.js"])


class PickerAdmin(ModelAdmin):
    """An admin whose list filters include searchable ones."""

    @property
    def media(self) -> forms.Media:
        return super().media + picker_media()


class SystemHistoryDeletion(ModelAdmin):
    """Deleting a brand or campaign takes the history the system wrote about it along.

    Status changes and corrections are read-only for everyone, so Django's delete page would
    demand a delete permission on them that nobody has. They are not the user's to delete one
    by one, but they belong to the deleted object and cascade with it: they need no permission
    of their own. The ledger still blocks: spend is PROTECTed, never deleted with anything, so
    the page says that in one line rather than ask for a permission to delete spend.
    """

    exempt: Sequence[type[Model]] = (CampaignStatusChange, TotalsCorrection, SpendLog)

    def get_deleted_objects(
        self, objs: "Sequence[Any] | QuerySet[Any]", request: HttpRequest
    ) -> tuple[list[Any], dict[Any, Any], set[Any], list[Any]]:
        to_delete, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        exempt = {str(model._meta.verbose_name) for model in self.exempt}
        needed = {name for name in perms_needed if str(name) not in exempt}
        return to_delete, counts, needed, ledger_refusal(protected)


def ledger_refusal(protected: list[Any]) -> list[str]:
    """One line for all the spend that blocks a deletion, instead of a line per spend."""
    if not protected:
        return []
    return [
        f"{plural(len(protected), 'spend log')}: the ledger keeps every spend for good, so what "
        "has spend cannot be deleted. Disable its campaigns instead."
    ]


class OverBudgetFilter(admin.SimpleListFilter):
    title = "budget"
    parameter_name = "budget"

    def lookups(self, request: HttpRequest, model_admin: ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("exceeded", "A budget exceeded"),
            ("daily", "Daily budget exceeded"),
            ("monthly", "Monthly budget exceeded"),
            ("within", "Within both budgets"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        daily = Q(current_daily_spend__gte=F("daily_budget"))
        monthly = Q(current_monthly_spend__gte=F("monthly_budget"))
        condition = {
            "exceeded": daily | monthly,
            "daily": daily,
            "monthly": monthly,
            "within": ~daily & ~monthly,
        }.get(self.value() or "")
        return queryset if condition is None else queryset.filter(condition)


class CampaignInline(TabularInline):
    model = Campaign
    fields = ("name", "is_enabled", "is_active")
    readonly_fields = ("is_active",)
    extra = 0
    show_change_link = True


@admin.register(Brand)
class BrandAdmin(SystemHistoryDeletion):
    form = BrandForm
    list_display = (
        "name",
        "timezone",
        "spend_today",
        "spend_this_month",
        "campaigns_serving",
    )
    list_filter = (OverBudgetFilter, "timezone")
    search_fields = ("name",)
    # Explicit: the campaign counts' GROUP BY would drop Meta.ordering (the brand picker pages).
    ordering = ("name",)
    readonly_fields = ("summary", "last_14_days")
    add_fieldsets: "_FieldsetSpec" = (
        (None, {"fields": ("name", "timezone", "daily_budget", "monthly_budget")}),
    )
    fieldsets = (*add_fieldsets, ("Spend", {"fields": ("summary", "last_14_days")}))
    inlines = (CampaignInline,)

    class Media:
        css = STYLES

    def get_queryset(self, request: HttpRequest) -> QuerySet[Brand]:
        brands: QuerySet[Brand] = super().get_queryset(request)
        return brands.annotate(
            active_campaigns=Count("campaigns", filter=Q(campaigns__is_active=True)),
            total_campaigns=Count("campaigns"),
        )

    def get_fieldsets(self, request: HttpRequest, obj: Brand | None = None) -> "_FieldsetSpec":
        # The spend of a brand not saved yet is nothing to show.
        return self.add_fieldsets if obj is None else self.fieldsets

    @admin.display(description="today", ordering="current_daily_spend")
    def spend_today(self, brand: Brand) -> SafeString:
        return usage(
            brand.current_daily_spend,
            brand.daily_budget,
            brand.daily_budget_remaining,
            brand.is_daily_budget_exceeded,
        )

    @admin.display(description="this month", ordering="current_monthly_spend")
    def spend_this_month(self, brand: Brand) -> SafeString:
        return usage(
            brand.current_monthly_spend,
            brand.monthly_budget,
            brand.monthly_budget_remaining,
            brand.is_monthly_budget_exceeded,
        )

    @admin.display(description="serving", ordering="active_campaigns")
    def campaigns_serving(self, brand: "BrandRow") -> str:
        return f"{brand.active_campaigns} of {brand.total_campaigns}"

    @admin.display(description="budgets and spend")
    def summary(self, brand: Brand) -> str:
        context = {"summary": BudgetService.get_brand_summary(brand)}
        return render_to_string("admin/ads/brand/summary.html", context)

    @admin.display(description="last 14 days")
    def last_14_days(self, brand: Brand) -> str:
        days = brand_spend_by_day(brand, 14)
        top = max((day.amount for day in days), default=Decimal(0)) or Decimal(1)
        rows = [(day, (day.amount * 100 / top).quantize(Decimal(1))) for day in days]
        return render_to_string("admin/ads/brand/spend_by_day.html", {"rows": rows})


class BlockingReasonFilter(admin.SimpleListFilter):
    title = "blocking reason"
    parameter_name = "reason"
    reasons = {
        "disabled": DISABLED,
        "daily": DAILY_EXCEEDED,
        "monthly": MONTHLY_EXCEEDED,
        "window": OUTSIDE_WINDOW,
    }

    def lookups(self, request: HttpRequest, model_admin: ModelAdmin) -> list[tuple[str, str]]:
        return [*self.reasons.items(), ("none", "Nothing blocks it")]

    def matches(self, value: str, found: list[str]) -> bool:
        wanted = self.reasons.get(value)
        return wanted in found if wanted else not found

    def judged(self, campaigns: QuerySet[Campaign]) -> list[tuple[FactGroup, list[str]]]:
        """The campaigns' fact groups with their reasons: the rule applied once per group."""
        now = timezone.now()
        return [
            (group, CampaignService.blocking_reasons(group.facts, now))
            for group in fact_groups(campaigns)
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value not in (*self.reasons, "none"):
            return queryset
        groups = [group for group, found in self.judged(queryset) if self.matches(value, found)]
        return in_groups(queryset, groups)

    def get_facet_queryset(self, changelist: ChangeList) -> dict[str, int]:
        """ "Show counts" from one grouped read of the facts, not one read (and pk list) per
        choice, nor a verdict per campaign."""
        campaigns = changelist.get_queryset(
            self.request, exclude_parameters=self.expected_parameters()
        )
        judged = self.judged(campaigns)
        return {
            f"{number}__c": sum(
                group.campaigns for group, found in judged if self.matches(value, found)
            )
            for number, (value, _) in enumerate(self.lookup_choices)
        }


class CampaignChangeList(ChangeList):
    """Reads the blocking reasons of the page's campaigns in one query, after paging."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        page = list(self.result_list)
        reasons = CampaignService.reasons_by_campaign(
            Campaign.objects.filter(pk__in=[campaign.pk for campaign in page])
        )
        for campaign in page:
            campaign.blocking_reasons = reasons[campaign.pk]


class DaypartingScheduleInline(StackedInline):
    model = DaypartingSchedule
    form = DaypartingScheduleForm
    extra = 1
    max_num = 1


class ReadOnlyInline(TabularInline):
    formset = LatestRowsFormSet
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StatusReasonsColumn:
    @admin.display(description="reasons")
    def reasons_text(self, change: CampaignStatusChange) -> str:
        return ", ".join(change.reasons)


class StatusHistoryInline(StatusReasonsColumn, ReadOnlyInline):
    model = CampaignStatusChange
    fields = ("changed_at", "is_active", "reasons_text", "cause")
    readonly_fields = fields
    verbose_name_plural = f"Status history (latest {LATEST_ROWS})"


class LatestSpendInline(ReadOnlyInline):
    model = SpendLog
    fields = ("timestamp", "amount", "description", "external_id", "recorded_at")
    readonly_fields = fields
    verbose_name_plural = f"Latest spend (latest {LATEST_ROWS})"


@admin.register(Campaign)
class CampaignAdmin(SystemHistoryDeletion, PickerAdmin):
    list_display = (
        "name",
        "brand",
        "is_enabled",
        "is_active",
        "blocking_reasons",
        "schedule",
        "spend_today",
    )
    list_filter = ("is_active", BlockingReasonFilter, "is_enabled", ("brand", SearchableFilter))
    list_select_related = ("brand", "dayparting_schedule")
    search_fields = ("name", "brand__name")
    autocomplete_fields = ("brand",)
    actions = ("enable", "disable", "reevaluate")
    inlines = (DaypartingScheduleInline, StatusHistoryInline, LatestSpendInline)
    fields = ("brand", "name", "is_enabled")
    readonly_fields = ("is_active", "blocking_now", "spend_today")

    class Media:
        css = STYLES

    def get_queryset(self, request: HttpRequest) -> QuerySet[Campaign]:
        return with_spend_today(super().get_queryset(request))

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return CampaignChangeList

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """One evaluation per edit: the form saves the campaign, then its schedule inline, and
        evaluated in between a campaign created with its window closed would log "serving",
        then "paused". The transaction is outside, so the evaluation commits with the edit."""
        with transaction.atomic(), CampaignService.one_evaluation():
            return super().changeform_view(request, object_id, form_url, extra_context)

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

    @admin.display(description="blocking reasons now")
    def blocking_now(self, campaign: Campaign) -> str:
        _, reasons = CampaignService.should_campaign_be_active(campaign)
        return ", ".join(reasons) or "Nothing: every constraint is met."

    @admin.display(description="schedule")
    def schedule(self, campaign: Campaign) -> str:
        schedule = schedule_of(campaign)
        return "Always" if schedule is None else schedule.describe()

    @admin.display(description="spend today", ordering="spend_today")
    def spend_today(self, campaign: "CampaignRow") -> Decimal:
        return campaign.spend_today

    @admin.action(description="Enable the selected campaigns", permissions=["change"])
    def enable(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        changed = CampaignService.set_enabled(queryset, True)
        self.message_user(request, f"Enabled {plural(changed, 'campaign')}.")

    @admin.action(description="Disable the selected campaigns", permissions=["change"])
    def disable(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        changed = CampaignService.set_enabled(queryset, False)
        self.message_user(request, f"Disabled {plural(changed, 'campaign')}.")

    @admin.action(description="Re-evaluate the selected campaigns now", permissions=["change"])
    def reevaluate(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        result = CampaignService.sync(queryset, CampaignStatusChange.Cause.OPERATOR)
        self.message_user(
            request,
            f"Re-evaluated: {plural(len(result.activated), 'campaign')} activated, "
            f"{len(result.paused)} paused.",
        )


class ReadOnlyAdmin(PickerAdmin):
    """Rows the system writes: anyone with the view permission reads them, nobody edits them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CsvEcho:
    """A file-like object that hands each CSV line back, so the export streams."""

    def write(self, line: str) -> str:
        return line


def csv_text(value: str) -> str:
    """Keep a spreadsheet from reading a description as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def search_words(search_term: str) -> list[str]:
    """The words of a search as the admin's own search reads them: quoted phrases kept whole."""
    words = []
    for word in smart_split(search_term):
        if word[:1] in ('"', "'") and word[-1] == word[0]:
            word = unescape_string_literal(word)
        words.append(word)
    return words


# Up to this many campaigns a name names are read once as ids: each query of the spend list
# (count, page, date links) then looks them up in the (campaign, timestamp) index. Past it a
# list of ids would cost more than the subquery that matches them again in each query.
NAMED_CAMPAIGN_IDS = 1000


def campaigns_named(word: str) -> "list[int] | QuerySet[Campaign, int]":
    """The campaigns whose name or brand's name holds `word` (any case): their ids."""
    brands = Brand.objects.filter(name__icontains=word).values("pk")
    named = Campaign.objects.filter(Q(name__icontains=word) | Q(brand__in=brands))
    ids = named.values_list("pk", flat=True)
    few = list(ids[: NAMED_CAMPAIGN_IDS + 1])
    return few if len(few) <= NAMED_CAMPAIGN_IDS else ids


def spend_csv_lines(spends: QuerySet[SpendLog]) -> Iterator[str]:
    writer = csv.writer(CsvEcho())
    yield writer.writerow(
        ["timestamp", "brand", "campaign", "amount", "description", "external_id", "recorded_at"]
    )
    for spend in spends.select_related("campaign__brand").iterator(chunk_size=2000):
        yield writer.writerow(
            [
                spend.timestamp.isoformat(),
                csv_text(spend.campaign.brand.name),
                csv_text(spend.campaign.name),
                spend.amount,
                csv_text(spend.description),
                csv_text(spend.external_id or ""),
                spend.recorded_at.isoformat(),
            ]
        )


@admin.register(SpendLog)
class SpendLogAdmin(PickerAdmin):
    """The ledger: spend is added through the service, never changed or deleted."""

    form = SpendLogForm
    list_display = ("timestamp", campaign_brand, "campaign", "amount", "description", "external_id")
    list_filter = (("campaign__brand", SearchableFilter), ("campaign", CampaignFilter))
    list_select_related = ("campaign__brand",)
    date_hierarchy = "timestamp"
    search_fields = ("description", "external_id", "campaign__name", "campaign__brand__name")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[SpendLog], search_term: str
    ) -> tuple[QuerySet[SpendLog], bool]:
        """Each word, as Django's search splits them, in a spend's own text or in its campaign's
        or brand's name (`search_fields`), every word matching.

        Joined to campaign and brand, the names would be matched once per spend (every spend
        of the ledger); they are matched among the campaigns instead, and the ledger is read
        by campaign id.
        """
        for word in search_words(search_term):
            queryset = queryset.filter(
                Q(campaign_id__in=campaigns_named(word))
                | Q(description__icontains=word)
                | Q(external_id__icontains=word)
            )
        return queryset, False

    def get_readonly_fields(
        self, request: HttpRequest, obj: SpendLog | None = None
    ) -> tuple[str, ...]:
        return () if obj is None else ("recorded_at",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: SpendLog, form: Any, change: bool) -> None:
        """Nothing to save: SpendLogForm recorded the spend through the service."""

    def get_urls(self) -> list[URLPattern]:
        export = path(
            "export/",
            self.admin_site.admin_view(self.export_csv),
            name="ads_spendlog_export",
        )
        return [export, *super().get_urls()]

    def export_csv(self, request: HttpRequest) -> StreamingHttpResponse:
        """The rows the list shows (filters, search, date and order included), as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            spends = self.get_changelist_instance(request).queryset
        except IncorrectLookupParameters as error:
            raise BadRequest(f"Not a filter of the spend list: {error}") from None
        return StreamingHttpResponse(
            spend_csv_lines(spends),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="spend.csv"'},
        )


@admin.register(CampaignStatusChange)
class CampaignStatusChangeAdmin(StatusReasonsColumn, ReadOnlyAdmin):
    list_display = ("changed_at", "campaign", campaign_brand, "is_active", "reasons_text", "cause")
    list_filter = ("cause", "is_active", ("campaign", CampaignFilter))
    list_select_related = ("campaign__brand",)
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
