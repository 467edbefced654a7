"""The admin at agency scale: server time, HTML size and statements of every admin page.

Builds the agency (bench.data: brands × campaigns, one spend per campaign) plus one status
change per campaign and one totals correction per brand, then fetches every list (plain, with
"Show counts", searched and filtered with the pickers), every add and change page and the
pickers' searches with Django's test Client as a signed-in superuser, in this process: the time
is the server's whole handling of the request (middleware, views, templates, queries), without
a network or a browser.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from ads.models import Brand, Campaign, CampaignStatusChange, SpendLog, TotalsCorrection
from bench.data import CHUNK, add_brands
from bench.database import throwaway_database
from bench.measure import QueryCounter, median

# The bounds for every admin page (issue 11, section 3).
MAX_SECONDS = 0.3
MAX_BYTES = 200_000
SEARCH = "?app_label=ads&term="


@dataclass(frozen=True)
class PageFigure:
    """One row of the admin table: the median server time of `repeats` fetches."""

    page: str
    url: str
    status: int
    seconds: float
    kilobytes: float
    queries: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _add_history() -> None:
    """A status change per campaign and a correction per brand, so those lists have rows."""
    now = timezone.now()
    CampaignStatusChange.objects.bulk_create(
        (
            CampaignStatusChange(campaign_id=pk, changed_at=now, is_active=True, cause="operator")
            for pk in Campaign.objects.values_list("pk", flat=True).iterator(chunk_size=CHUNK)
        ),
        batch_size=CHUNK,
    )
    TotalsCorrection.objects.bulk_create(
        (
            TotalsCorrection(
                brand_id=pk,
                corrected_at=now,
                day=now.date(),
                daily_before=Decimal("0"),
                daily_after=Decimal("1.00"),
                monthly_before=Decimal("0"),
                monthly_after=Decimal("1.00"),
            )
            for pk in Brand.objects.values_list("pk", flat=True).iterator(chunk_size=CHUNK)
        ),
        batch_size=CHUNK,
    )


def _lists(brand: Brand, campaign: Campaign) -> list[tuple[str, str]]:
    def changelist(model: str, query: str = "") -> str:
        return reverse(f"admin:ads_{model}_changelist") + query

    on_brand, on_campaign = f"brand__id__exact={brand.pk}", f"campaign__id__exact={campaign.pk}"
    pages = [("admin index (the dashboard)", reverse("admin:index"))]
    for model in (
        "brand",
        "campaign",
        "spendlog",
        "campaignstatuschange",
        "totalscorrection",
        "budgetalert",
        "delivery",
    ):
        pages += [
            (f"{model} list", changelist(model)),
            (f"{model} list, show counts", changelist(model, "?_facets=True")),
        ]
    return [
        *pages,
        ("brand list, over budget", changelist("brand", "?budget=exceeded")),
        ("campaign list, search", changelist("campaign", f"?q={brand.name}")),
        ("campaign list, picked brand", changelist("campaign", f"?{on_brand}")),
        ("campaign list, daily budget exceeded", changelist("campaign", "?reason=daily")),
        ("campaign list, outside window", changelist("campaign", "?reason=window")),
        ("campaign list, nothing blocks", changelist("campaign", "?reason=none")),
        ("spendlog list, search", changelist("spendlog", f"?q={brand.name}")),
        ("spendlog list, picked brand", changelist("spendlog", f"?campaign__{on_brand}")),
        ("spendlog list, picked campaign", changelist("spendlog", f"?{on_campaign}")),
        ("spendlog list, a month", changelist("spendlog", _month_query())),
        (
            "campaignstatuschange list, picked campaign",
            changelist("campaignstatuschange", f"?{on_campaign}"),
        ),
        ("totalscorrection list, picked brand", changelist("totalscorrection", f"?{on_brand}")),
    ]


def _month_query() -> str:
    now = timezone.now()
    return f"?timestamp__year={now.year}&timestamp__month={now.month}"


def _forms(brand: Brand, campaign: Campaign) -> list[tuple[str, str]]:
    spend = SpendLog.objects.filter(campaign=campaign).latest("pk")
    change = CampaignStatusChange.objects.filter(campaign=campaign).latest("pk")
    correction = TotalsCorrection.objects.filter(brand=brand).latest("pk")
    pages = [
        (f"{model} add", reverse(f"admin:ads_{model}_add"))
        for model in ("brand", "campaign", "spendlog")
    ]
    for model, pk in (
        ("brand", brand.pk),
        ("campaign", campaign.pk),
        ("spendlog", spend.pk),
        ("campaignstatuschange", change.pk),
        ("totalscorrection", correction.pk),
    ):
        pages.append((f"{model} change", reverse(f"admin:ads_{model}_change", args=[pk])))
    return [
        *pages,
        ("campaign delete (has spend)", reverse("admin:ads_campaign_delete", args=[campaign.pk])),
        (
            "brand picker search",
            reverse("admin:autocomplete")
            + f"{SEARCH}{brand.name[:-2]}&model_name=campaign&field_name=brand",
        ),
        (
            "campaign picker search",
            reverse("admin:ads_campaign_search")
            + f"{SEARCH}{brand.name}+campaign-1&model_name=spendlog&field_name=campaign",
        ),
    ]


def _pages() -> list[tuple[str, str]]:
    """(label, URL) of every page measured, about a brand in the middle of the agency."""
    brands = Brand.objects.order_by("name")
    brand = brands[brands.count() // 2]
    campaign = brand.campaigns.earliest("name")
    return _lists(brand, campaign) + _forms(brand, campaign)


def _fetch(client: Client, url: str) -> tuple[int, float, int, int]:
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        before = time.perf_counter()
        response = client.get(url, secure=True)
        seconds = time.perf_counter() - before
    return response.status_code, seconds, len(response.content), counter.count


def measure_pages(repeats: int) -> list[PageFigure]:
    """Each page fetched once to warm caches, then `repeats` times; the median time is kept."""
    user = User.objects.create_superuser("bench-admin", "bench@example.com", None)
    client = Client(HTTP_HOST="localhost", raise_request_exception=False)
    client.force_login(user)
    figures = []
    for label, url in _pages():
        _fetch(client, url)
        runs = [_fetch(client, url) for _ in range(repeats)]
        status, _, size, queries = runs[-1]
        seconds = median([run[1] for run in runs])
        figures.append(PageFigure(label, url, status, seconds, size / 1000, queries))
    return figures


# Production's manifest storage needs collectstatic; a page's static URLs are a dict lookup
# there, so the plain storage measures the same work without it.
PLAIN_STATIC = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}


def run(*, brands: int, per_brand: int, repeats: int, log: Callable[[str], None]) -> dict[str, Any]:
    """The admin workload in a throwaway database; returns its figures (format_table).

    DEBUG is off while measuring, as in production: with it on, Django logs every query.
    """
    storages = {**settings.STORAGES, "staticfiles": PLAIN_STATIC}
    with override_settings(DEBUG=False, STORAGES=storages), throwaway_database() as name:
        log(f"{name}: {brands} brands × {per_brand} campaigns, for the admin pages")
        add_brands(0, brands, per_brand)
        _add_history()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        log("admin pages")
        pages = measure_pages(repeats)
        return {
            "brands": brands,
            "campaigns": brands * per_brand,
            "spends": SpendLog.objects.count(),
            "admin": [page.as_dict() for page in pages],
        }


def format_table(result: dict[str, Any]) -> str:
    lines = [
        f"Admin pages at {result['brands']:,} brands, {result['campaigns']:,} campaigns, "
        f"{result['spends']:,} spends (median server time; bounds {MAX_SECONDS} s and "
        f"{MAX_BYTES // 1000} KB)",
        "",
        f"{'page':<44} {'status':>6} {'ms':>8} {'KB':>8} {'queries':>8}  within",
    ]
    for row in result["admin"]:
        within = (
            row["status"] == 200
            and row["seconds"] <= MAX_SECONDS
            and row["kilobytes"] * 1000 <= MAX_BYTES
        )
        lines.append(
            f"{row['page']:<44} {row['status']:>6} {row['seconds'] * 1000:>8.1f} "
            f"{row['kilobytes']:>8.1f} {row['queries']:>8}  {'yes' if within else 'NO'}"
        )
    return "\n".join(lines)
