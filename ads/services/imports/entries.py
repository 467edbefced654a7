"""Rows into entries (a spend, a credit or charge, a report): the campaign each names, an id for
each, and the month's total.

Every spend, credit and charge gets an external_id (its own, or one derived from its content),
so importing the same rows again counts nothing twice; a report is idempotent by itself.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import cast

from django.utils import timezone

from ads.models import Campaign, SpendLog
from ads.periods import LocalPeriod, local_period, month_of, zone
from ads.services.entries import SpendEntry
from ads.services.imports.rows import CampaignKey, Row, RowError
from ads.validators import largest_total

Kind = SpendLog.Kind


@dataclass(frozen=True)
class Adjustment:
    """A credit or charge row: `BudgetService.record_adjustment`'s arguments."""

    campaign: int
    amount: Decimal
    reason: str
    external_id: str
    timestamp: datetime


@dataclass(frozen=True)
class Report:
    """A platform report row: `BudgetService.record_reported_spend`'s arguments."""

    campaign: int
    day: date
    total: Decimal
    source: str


Entry = SpendEntry | Adjustment | Report


@dataclass
class CampaignLookup:
    """Campaign ids for the keys rows give, one query per batch of rows for keys not seen yet."""

    ids: dict[CampaignKey, int | None] = field(default_factory=dict)
    # Each campaign found, by id: its brand's id (what an import's summary counts).
    brand_of: dict[int, int] = field(default_factory=dict)

    def resolve(self, keys: set[CampaignKey]) -> None:
        new = keys - self.ids.keys()
        if not new:
            return
        self.ids.update(dict.fromkeys(new))
        numbers = [int(key[1]) for key in new if key[0] == "id"]
        for pk, brand_id in Campaign.objects.filter(pk__in=numbers).values_list("pk", "brand_id"):
            self.ids[("id", str(pk))] = pk
            self.brand_of[pk] = brand_id
        named = [key for key in new if key[0] == "name"]
        if named:
            found = Campaign.objects.filter(
                brand__name__in={key[1] for key in named}, name__in={key[2] for key in named}
            )
            rows = found.order_by().values_list("brand__name", "name", "pk", "brand_id")
            for brand, name, pk, brand_id in rows:
                if ("name", brand, name) in new:
                    self.ids[("name", brand, name)] = pk
                    self.brand_of[pk] = brand_id

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

    def entries(self, rows: list[Row]) -> list[Entry]:
        kinds = [row.kind() for row in rows]
        for row, kind in zip(rows, kinds, strict=True):
            row.check_fit(kind)
        self.lookup.resolve({row.campaign_key() for row in rows})
        return [self.entry(row, kind) for row, kind in zip(rows, kinds, strict=True)]

    def entry(self, row: Row, kind: str) -> Entry:
        campaign_id = self.lookup.campaign_id(row)
        if kind == Kind.REPORT:
            return Report(campaign_id, row.day(), row.total(), row.reason("source"))
        timestamp = row.timestamp()
        values = row.values
        # The digest keeps the amount's text, as before: the same file gives the same ids.
        content = [str(campaign_id), values["amount"], timestamp.astimezone(UTC).isoformat()]
        if kind == Kind.SPEND:
            description = values.get("description", "")
            return SpendEntry(
                campaign=campaign_id,
                amount=row.amount(),
                description=description,
                external_id=values.get("external_id") or self.derived_id(*content, description),
                timestamp=timestamp,
            )
        reason = row.reason("reason")
        return Adjustment(
            campaign=campaign_id,
            amount=row.amount(kind),
            reason=reason,
            external_id=values.get("external_id") or self.derived_id(*content, kind, reason),
            timestamp=timestamp,
        )

    def derived_id(self, *content: str) -> str:
        """A digest of the row's content; the n-th identical row gets its own id.

        A spend's content is its campaign, amount, time and description (the ids of files
        imported before kinds existed); a credit's or charge's adds its kind and reason.
        """
        text = "\x1f".join(content)
        self.seen[text] += 1
        text += f"\x1f{self.seen[text]}"
        return "csv:" + hashlib.sha256(text.encode()).hexdigest()[:40]


@dataclass
class BrandMonth:
    name: str
    zone_name: str
    period: LocalPeriod
    total: Decimal


@dataclass
class MonthTotals:
    """Each brand's month total as the rows leave it, checked against the largest total.

    The writer refuses a spend that takes a total past what the database holds; this finds the
    row while the rows are checked. A day lies within its month, so the month's total is the one
    that crosses first. Conservative on a re-import: a row already on record counts again here,
    which only rows within that much of the limit (10^18; 10^13 on SQLite) can notice. A credit
    counts (it is recorded before the rows after it); a report counts its whole total (what it
    appends is at most that).

    Knowing each brand's zone, this also refuses a report for a day not yet begun there.
    """

    brand_of: dict[int, int] = field(default_factory=dict)
    brands: dict[int, BrandMonth] = field(default_factory=dict)

    def add(self, rows: list[Row], entries: list[Entry]) -> None:
        self.read_brands({cast(int, entry.campaign) for entry in entries})
        limit = largest_total()
        for row, entry in zip(rows, entries, strict=True):
            month = self.brands[self.brand_of[cast(int, entry.campaign)]]
            amount = self.month_amount(row, entry, month)
            if amount is None:
                continue
            month.total += amount
            if month.total > limit:
                column = "total" if isinstance(entry, Report) else "amount"
                raise RowError(
                    row.line,
                    f"{column}: {amount} would take the monthly total of brand {month.name!r} to "
                    f"{month.total}, past {limit}, the largest total the database holds.",
                )

    @staticmethod
    def month_amount(row: Row, entry: Entry, month: BrandMonth) -> Decimal | None:
        """What `entry` may add to the brand's current month; None if it lies in another."""
        if isinstance(entry, Report):
            if entry.day > month.period.day:
                raise RowError(
                    row.line, f"day: {entry.day} has not begun yet in {month.zone_name}."
                )
            if entry.day.year < 2000:
                raise RowError(row.line, f"day: {entry.day} is before 2000, the ledger's first.")
            return entry.total if month_of(entry.day) == month.period.month else None
        if entry.timestamp is None or not month.period.contains_month(entry.timestamp):
            return None
        return cast(Decimal, entry.amount)

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
                self.brands[brand_id] = BrandMonth(name, zone_name, period, start)
