"""Rows into SpendEntry objects: the campaign each names, an id for each, and the month's total.

Every row gets an external_id (its own, or one derived from its content), so importing the same
rows again counts nothing twice.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import cast

from django.utils import timezone

from ads.models import Campaign
from ads.periods import LocalPeriod, local_period, zone
from ads.services.entries import SpendEntry
from ads.services.imports.rows import CampaignKey, Row, RowError
from ads.validators import largest_total


@dataclass
class CampaignLookup:
    """Campaign ids for the keys rows give, one query per batch of rows for keys not seen yet."""

    ids: dict[CampaignKey, int | None] = field(default_factory=dict)

    def resolve(self, keys: set[CampaignKey]) -> None:
        new = keys - self.ids.keys()
        if not new:
            return
        self.ids.update(dict.fromkeys(new))
        numbers = [int(key[1]) for key in new if key[0] == "id"]
        for pk in Campaign.objects.filter(pk__in=numbers).values_list("pk", flat=True):
            self.ids[("id", str(pk))] = pk
        named = [key for key in new if key[0] == "name"]
        if named:
            found = Campaign.objects.filter(
                brand__name__in={key[1] for key in named}, name__in={key[2] for key in named}
            )
            for brand, name, pk in found.order_by().values_list("brand__name", "name", "pk"):
                if ("name", brand, name) in new:
                    self.ids[("name", brand, name)] = pk

    def campaign_id(self, row: Row) -> int:
        pk = self.ids[row.campaign_key()]
        if pk is not None:
            return pk
        if "campaign_id" in row.values:
            raise RowError(row.line, f"campaign_id: no campaign {row.values['campaign_id']!r}.")
        raise RowError(
            row.line,
            f"campaign: no campaign {row.values['campaign']!r} in brand {row.values['brand']!r}.",
        )


@dataclass
class EntryMaker:
    """Turns rows into SpendEntry objects; the same rows always give the same external_ids.

    One maker per pass over the rows: the n-th identical row is told apart by counting.
    """

    lookup: CampaignLookup
    seen: Counter[str] = field(default_factory=Counter)

    def entries(self, rows: list[Row]) -> list[SpendEntry]:
        self.lookup.resolve({row.campaign_key() for row in rows})
        return [self.entry(row) for row in rows]

    def entry(self, row: Row) -> SpendEntry:
        campaign_id = self.lookup.campaign_id(row)
        timestamp = row.timestamp()
        values = row.values
        description = values.get("description", "")
        # The digest keeps the amount's text, as before: the same file gives the same ids.
        return SpendEntry(
            campaign=campaign_id,
            amount=row.amount(),
            description=description,
            external_id=values.get("external_id")
            or self.derived_id(campaign_id, values["amount"], timestamp, description),
            timestamp=timestamp,
        )

    def derived_id(self, campaign_id: int, amount: str, when: datetime, description: str) -> str:
        """A digest of the row's content; the n-th identical row gets its own id."""
        content = "\x1f".join(
            (str(campaign_id), amount, when.astimezone(UTC).isoformat(), description)
        )
        self.seen[content] += 1
        content += f"\x1f{self.seen[content]}"
        return "csv:" + hashlib.sha256(content.encode()).hexdigest()[:40]


@dataclass
class BrandMonth:
    name: str
    period: LocalPeriod
    total: Decimal


@dataclass
class MonthTotals:
    """Each brand's month total as the rows leave it, checked against the largest total.

    The writer refuses a spend that takes a total past what the database holds; this finds the
    row while the rows are checked. A day lies within its month, so the month's total is the one
    that crosses first. Conservative on a re-import: a row already on record counts again here,
    which only rows within that much of the limit (10^18; 10^13 on SQLite) can notice.
    """

    brand_of: dict[int, int] = field(default_factory=dict)
    brands: dict[int, BrandMonth] = field(default_factory=dict)

    def add(self, rows: list[Row], entries: list[SpendEntry]) -> None:
        self.read_brands({cast(int, entry.campaign) for entry in entries})
        limit = largest_total()
        for row, entry in zip(rows, entries, strict=True):
            month = self.brands[self.brand_of[cast(int, entry.campaign)]]
            amount = cast(Decimal, entry.amount)
            if entry.timestamp is None or not month.period.contains_month(entry.timestamp):
                continue
            month.total += amount
            if month.total > limit:
                raise RowError(
                    row.line,
                    f"amount: {amount} would take the monthly total of brand {month.name!r} to "
                    f"{month.total}, past {limit}, the largest total the database holds.",
                )

    def read_brands(self, campaign_ids: set[int]) -> None:
        new = campaign_ids - self.brand_of.keys()
        if not new:
            return
        now = timezone.now()
        found = Campaign.objects.filter(pk__in=new).values_list(
            "pk",
            "brand_id",
            "brand__name",
            "brand__timezone",
            "brand__spend_month",
            "brand__current_monthly_spend",
        )
        for pk, brand_id, name, zone_name, spend_month, total in found:
            self.brand_of[pk] = brand_id
            if brand_id not in self.brands:
                period = local_period(now, zone(zone_name))
                # A brand still in an earlier month starts this one from nothing.
                start = total if spend_month == period.month else Decimal(0)
                self.brands[brand_id] = BrandMonth(name, period, start)
