"""Statements over many rows at once that the ORM would build slowly or not at all."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet

from ads.models import Brand, Campaign, SpendLog


def known_spends(spends: list[SpendLog]) -> dict[tuple[int, str], SpendLog]:
    """The ledger rows already recorded under the spends' (campaign, external_id) pairs.

    The pairs go in as a VALUES list joined on the unique (campaign, external_id) index:
    exact, and cheap to build, where the ORM (which has no pair lookup) would need one OR
    term per pair at about half a millisecond each.
    """
    pairs = sorted({(s.campaign_id, s.external_id) for s in spends if s.external_id})
    table = connection.ops.quote_name(SpendLog._meta.db_table)
    known = {}
    # One statement on PostgreSQL; as many as SQLite's limit on parameters needs there.
    size = max(connection.ops.bulk_batch_size(["campaign_id", "external_id"], pairs), 1)
    for start in range(0, len(pairs), size):
        chunk = pairs[start : start + size]
        values = ", ".join(["(%s, %s)"] * len(chunk))
        sql = (
            f"SELECT spend.* FROM {table} spend JOIN (VALUES {values}) AS pairs"  # noqa: S608 - placeholders only
            " ON spend.campaign_id = pairs.column1 AND spend.external_id = pairs.column2"
        )
        for row in SpendLog.objects.raw(sql, [value for pair in chunk for value in pair]):
            known[(row.campaign_id, str(row.external_id))] = row
    return known


def write_totals(brands: Sequence[Brand] | Sequence[Campaign], *, fields: Sequence[str]) -> None:
    """Store `fields` of `brands` (or of campaigns), whose rows this transaction holds locked:
    one UPDATE.

    Joined to a VALUES list rather than bulk_update's CASE, whose arms the database tries
    one by one for every row (minutes for 10,000 brands) and whose expression objects cost
    more to build than a whole batch of spends.
    """
    if not brands:
        return
    model = type(brands[0])
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [column for column in model._meta.concrete_fields if column.name in fields]
    assignments = ", ".join(
        f"{quote(column.column)} = totals.column{number}"
        for number, column in enumerate(columns, start=2)
    )
    row = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    size = max(connection.ops.bulk_batch_size(["id", *fields], brands), 1)
    for start in range(0, len(brands), size):
        chunk = brands[start : start + size]
        sql = (
            f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row] * len(chunk))})"  # noqa: S608 - placeholders only
            f" AS totals WHERE {table}.{quote('id')} = totals.column1"
        )
        params = [
            value
            for brand in chunk
            for value in (
                brand.pk,
                *(
                    column.get_db_prep_save(getattr(brand, column.attname), connection)
                    for column in columns
                ),
            )
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


@dataclass(frozen=True)
class CampaignTotals:
    """A campaign's totals after `add_to_campaign_totals`, with the caps they are held to."""

    pk: int
    is_active: bool
    current_daily_spend: Decimal
    total_spend: Decimal
    daily_cap: Decimal | None
    total_cap: Decimal | None


_RETURNED = ("id", "is_active", "current_daily_spend", "total_spend", "daily_cap", "total_cap")


def add_to_campaign_totals(added: Sequence[tuple[int, Decimal, Decimal]]) -> list[CampaignTotals]:
    """Add (campaign id, to today, to all time) to the campaigns' totals: one UPDATE.

    The caller holds the campaign rows locked (`lock_brands_of`), so adding in the database
    loses nothing, and RETURNING gives the new totals and the caps without another read. Each
    sum is rounded to the cent: on SQLite a column is a binary double, and the rounded sum is
    the double nearest the exact cents, as an absolute write of a Decimal would store.
    """
    quote = connection.ops.quote_name
    table = quote(Campaign._meta.db_table)
    fields = {f.attname: f for f in Campaign._meta.concrete_fields if f.attname in _RETURNED}
    daily, total = quote(fields["current_daily_spend"].column), quote(fields["total_spend"].column)
    returned = ", ".join(f"{table}.{quote(fields[name].column)}" for name in _RETURNED)
    results = []
    size = max(connection.ops.bulk_batch_size(["id", "daily", "total"], list(added)), 1)
    for start in range(0, len(added), size):
        chunk = added[start : start + size]
        sql = (
            f"UPDATE {table} SET {daily} = ROUND({daily} + added.column2, 2),"  # noqa: S608 - placeholders only
            f" {total} = ROUND({total} + added.column3, 2)"
            f" FROM (VALUES {', '.join(['(%s, %s, %s)'] * len(chunk))}) AS added"
            f" WHERE {table}.{quote('id')} = added.column1 RETURNING {returned}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for row in chunk for value in row])
            rows = cursor.fetchall()
        for row in rows:
            values = [
                fields[name].to_python(value) for name, value in zip(_RETURNED, row, strict=True)
            ]
            results.append(CampaignTotals(*values))
    return results


def write_campaign_days(recounted: "QuerySet[Any]") -> None:
    """Set each campaign's `current_daily_spend` to the `ledger_daily` that `recounted` (an
    annotated queryset) reads for it: one UPDATE ... FROM, whatever the number of campaigns.

    The read is the UPDATE's own subquery, so nothing travels through Python, and only rows
    whose total differs are written. The caller holds the brands' locks.
    """
    quote = connection.ops.quote_name
    table = quote(Campaign._meta.db_table)
    column = quote(Campaign._meta.get_field("current_daily_spend").column)
    pk = quote(Campaign._meta.pk.column)
    read = recounted.order_by().values(recount_id=F("pk"), recount_daily=F("ledger_daily"))
    sql, params = read.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = recount.recount_daily FROM ({sql}) AS recount"  # noqa: S608 - the ORM's own SQL
            f" WHERE {table}.{pk} = recount.recount_id"
            f" AND {table}.{column} <> recount.recount_daily",
            params,
        )
