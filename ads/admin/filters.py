"""The list filters: brands and campaigns picked by searching, brands by their budgets,
campaigns by what blocks them.

The budget filter is the budget rule's one SQL form (`ads.selectors.budgets.exceeded`); the
blocking-reason filter judges each fact of a verdict with the one rule and filters on the
result in SQL (`ads.selectors.reasons`).
"""

from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import get_model_from_relation
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from ads.admin.base import ModelAdmin
from ads.admin.forms import CAMPAIGN_SEARCH_URL, campaign_label
from ads.models import Campaign
from ads.selectors import DAILY, MONTHLY, exceeded
from ads.selectors.reasons import ReasonConditions, reason_conditions
from ads.services import (
    BEFORE_FLIGHT,
    DAILY_CAP_REACHED,
    DAILY_EXCEEDED,
    DISABLED,
    FLIGHT_ENDED,
    MONTHLY_EXCEEDED,
    OUTSIDE_WINDOW,
    TOTAL_CAP_REACHED,
)

if TYPE_CHECKING:
    from django.contrib.admin.filters import _ListFilterChoices
    from django.db.models.fields.related import RelatedField
    from django.utils.functional import _StrOrPromise


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


class OverBudgetFilter(admin.SimpleListFilter):
    """Brands by their budgets, compared in the database as the sweeps compare them."""

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
        daily, monthly = exceeded(DAILY), exceeded(MONTHLY)
        condition = {
            "exceeded": daily | monthly,
            "daily": daily,
            "monthly": monthly,
            "within": ~daily & ~monthly,
        }.get(self.value() or "")
        return queryset if condition is None else queryset.filter(condition)


class BlockingReasonFilter(admin.SimpleListFilter):
    title = "blocking reason"
    parameter_name = "reason"
    reasons = {
        "disabled": DISABLED,
        "before_flight": BEFORE_FLIGHT,
        "flight_ended": FLIGHT_ENDED,
        "daily": DAILY_EXCEEDED,
        "monthly": MONTHLY_EXCEEDED,
        "daily_cap": DAILY_CAP_REACHED,
        "total_cap": TOTAL_CAP_REACHED,
        "window": OUTSIDE_WINDOW,
    }

    def lookups(self, request: HttpRequest, model_admin: ModelAdmin) -> list[tuple[str, str]]:
        return [*self.reasons.items(), ("none", "Nothing blocks it")]

    @cached_property
    def conditions(self) -> ReasonConditions:
        """Judged once per request, for the filter and its counts alike."""
        return reason_conditions(now=timezone.now())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value not in (*self.reasons, "none"):
            return queryset
        return self.conditions.blocked(queryset, self.reasons.get(value or ""))

    def get_facet_queryset(self, changelist: ChangeList) -> dict[str, int]:
        """ "Show counts" in one aggregate query, not one count (and pk list) per choice, nor
        a verdict per campaign."""
        campaigns = changelist.get_queryset(
            self.request, exclude_parameters=self.expected_parameters()
        )
        wanted = [self.reasons.get(value) for value, _ in self.lookup_choices]
        counts = self.conditions.counts(campaigns, wanted)
        return {f"{number}__c": counts[reason] for number, reason in enumerate(wanted)}
