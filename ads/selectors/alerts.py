"""Reads for alerts: the brands whose data has gone stale."""

from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Q, QuerySet

from ads.models import Brand

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class Staleness(TypedDict):
    serving: int


if TYPE_CHECKING:
    StaleBrand = WithAnnotations[Brand, Staleness]


def stale_brands(*, cutoff: datetime) -> "QuerySet[StaleBrand]":
    """Brands with serving campaigns and no ledger entry recorded since `cutoff`: one query.

    A brand created after `cutoff` has not had the time to go stale. Each brand comes with
    `serving` (how many of its campaigns serve); the alert names its `last_recorded_at`. That
    column is kept by the roll-up, so the query reads brands and campaigns and never the
    ledger, which has no index on its recording time and only grows.
    """
    return (
        Brand.objects.filter(created_at__lte=cutoff)
        .filter(Q(last_recorded_at__lt=cutoff) | Q(last_recorded_at__isnull=True))
        .annotate(serving=Count("campaigns", filter=Q(campaigns__is_active=True)))
        .filter(serving__gt=0)
        .order_by("pk")
    )
