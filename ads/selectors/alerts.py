"""Reads for alerts: the brands whose data has gone stale."""

from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from ads.models import Brand, SpendLog

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class Staleness(TypedDict):
    serving: int
    last_recorded_at: datetime | None


if TYPE_CHECKING:
    StaleBrand = WithAnnotations[Brand, Staleness]


def stale_brands(*, cutoff: datetime) -> "QuerySet[StaleBrand]":
    """Brands with serving campaigns and no ledger entry recorded since `cutoff`: one query.

    A brand created after `cutoff` has not had the time to go stale. Each brand comes with
    `serving` (how many of its campaigns serve) and `last_recorded_at` (its newest entry's
    recording time, None when it has none), which the alert names.
    """
    entries = SpendLog.objects.filter(campaign__brand=OuterRef("pk"))
    newest = entries.order_by("-recorded_at").values("recorded_at")[:1]
    return (
        Brand.objects.filter(created_at__lte=cutoff)
        .annotate(serving=Count("campaigns", filter=Q(campaigns__is_active=True)))
        .filter(serving__gt=0)
        .filter(~Exists(entries.filter(recorded_at__gte=cutoff)))
        .annotate(last_recorded_at=Subquery(newest))
        .order_by("pk")
    )
