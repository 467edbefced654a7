"""Budget history: who changed a brand's budgets or a campaign's caps and flight, when, from what.

django-simple-history writes one historical row per save of a brand or campaign, with the
signed-in user when the save came through the admin (its middleware), none from the shell. The
rows are snapshots; a change is a tracked field whose value differs from the row before it.
The totals and `is_active` are written by queryset updates and never appear here.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError

from ads.models import Brand, Campaign
from ads.periods import zone

BRAND_FIELDS = ("daily_budget", "monthly_budget")
CAMPAIGN_FIELDS = ("daily_cap", "total_cap", "start_date", "end_date")

# A snapshot's kind, as django-simple-history writes it.
CREATED, DELETED = "+", "-"


@dataclass(frozen=True)
class FieldChange:
    """One field changed by one save. `when` is in the brand's zone; None is an empty value."""

    when: datetime
    zone: str
    who: str  # the username; "" from the shell, a script or a user since deleted
    field: str  # the field's verbose name, as the form labels it
    old: object
    new: object


def brand_budget_history(brand: Brand, *, limit: int) -> list[FieldChange]:
    """The budget changes of the brand's latest `limit` saves, newest first, in one query."""
    if not isinstance(brand, Brand) or brand.pk is None:
        raise ValidationError({"brand": f"{brand!r} is not a saved brand."})
    return _changes(brand, fields=BRAND_FIELDS, zone_name=brand.timezone, limit=limit)


def campaign_budget_history(campaign: Campaign, *, limit: int) -> list[FieldChange]:
    """The cap and flight changes of the campaign's latest `limit` saves, newest first.

    Times are in the brand's zone, where the caps' days and the flight's dates are counted.
    """
    if not isinstance(campaign, Campaign) or campaign.pk is None:
        raise ValidationError({"campaign": f"{campaign!r} is not a saved campaign."})
    zone_name = Brand.objects.values_list("timezone", flat=True).get(pk=campaign.brand_id)
    return _changes(campaign, fields=CAMPAIGN_FIELDS, zone_name=zone_name, limit=limit)


def _changes(
    obj: Brand | Campaign, *, fields: Sequence[str], zone_name: str, limit: int
) -> list[FieldChange]:
    """Compare each of the latest `limit` snapshots with the one before it (read with them).

    The oldest snapshot read has nothing before it: a creation shows the values it set; a
    baseline (written when the history began) or a snapshot cut off by `limit` shows nothing.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValidationError({"limit": f"{limit!r} is not a positive whole number of saves."})
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    tz = zone(zone_name)
    labels = {f.name: str(f.verbose_name) for f in obj._meta.concrete_fields if f.name in fields}
    changes = []
    for index, record in enumerate(records[:limit]):
        before = records[index + 1] if index + 1 < len(records) else None
        if record.history_type == DELETED or (before is None and record.history_type != CREATED):
            continue
        user = record.history_user
        for name in fields:
            old = None if before is None else getattr(before, name)
            new = getattr(record, name)
            if old != new:
                changes.append(
                    FieldChange(
                        when=record.history_date.astimezone(tz),
                        zone=zone_name,
                        who="" if user is None else user.get_username(),
                        field=labels[name],
                        old=old,
                        new=new,
                    )
                )
    return changes
