"""The ledger's pages: spend, credits and charges added through the services (with who
recorded them), searched by name, exported as CSV; never changed or deleted."""

import csv
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from ads.admin.columns import campaign_brand
from ads.admin.filters import CampaignFilter, PickerAdmin, SearchableFilter
from ads.admin.forms import AdjustmentForm, SpendLogForm
from ads.admin.search import campaigns_named, search_words
from ads.models import SpendLog


class CsvEcho:
    """A file-like object that hands each CSV line back, so the export streams."""

    def write(self, line: str) -> str:
        return line


def csv_text(value: str) -> str:
    """Keep a spreadsheet from reading a description as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


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
    list_display = (
        "timestamp",
        campaign_brand,
        "campaign",
        "kind",
        "amount",
        "reason",
        "description",
        "external_id",
        "recorded_by",
    )
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
        return () if obj is None else ("kind", "reason", "recorded_by", "recorded_at")

    def get_form(
        self, request: HttpRequest, obj: SpendLog | None = None, change: bool = False, **kwargs: Any
    ) -> "type[forms.ModelForm[SpendLog]]":
        """The spend form, told who is submitting it (the ledger keeps who recorded a spend)."""
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"recorded_by": request.user.get_username()})

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
        adjustment = path(
            "adjustment/",
            self.admin_site.admin_view(self.adjustment_view),
            name="ads_spendlog_adjustment",
        )
        return [export, adjustment, *super().get_urls()]

    def adjustment_view(self, request: HttpRequest) -> HttpResponse:
        """Record a credit or a charge with its reason, as the signed-in user."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AdjustmentForm(request.POST or None, recorded_by=request.user.get_username())
        if request.method == "POST" and form.is_valid():
            entry = form.save()
            if entry is not None:
                self.message_user(request, f"Recorded: {entry.kind} of {entry.amount}.")
                return redirect("admin:ads_spendlog_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Record a credit or charge",
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/ads/spendlog/adjustment.html", context)

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
