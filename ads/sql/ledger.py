"""The ledger's writes and the totals' UPDATEs: statements the ORM would build slowly or not
at all, on the path every spend takes."""

import functools
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, connections
from django.db.models import F, Field, QuerySet
from django.utils import timezone

from ads.database import vendor
from ads.models import Brand, Campaign, SpendLog
from ads.sql.arrays import array_text, row_chunks, row_params, rows_sql, text_size
from ads.sql.prepared import execute_prepared
from ads.validators import largest_total

# The ledger columns an insert writes, and their PostgreSQL types, in the order of the arrays.
_ENTRY_COLUMNS = (
    ("campaign_id", "bigint"),
    ("kind", "varchar"),
    ("amount", "numeric"),
    ("timestamp", "timestamptz"),
    ("description", "varchar"),
    ("external_id", "varchar"),
    ("reason", "varchar"),
    ("recorded_by", "varchar"),
    ("recorded_at", "timestamptz"),
)


def insert_entries(entries: Sequence[SpendLog]) -> None:
    """Insert new ledger rows (checked, unsaved) and give each its id: one statement.

    Like `bulk_create`, no post_save is sent: the caller rolls the rows up itself. On
    PostgreSQL the rows go in as one array per column through `unnest`, each array as one text
    (`ads.sql.arrays`), which costs the database less to parse than a VALUES list or psycopg2's
    `ARRAY[…]` of literals, and Python far less to build than `bulk_create`'s nine prepared
    values per row (a third of a batch's time); ids come back in input order, as `bulk_create`
    relies on too. SQLite, which has no arrays, takes `bulk_create`.
    """
    if not entries:
        return
    if vendor() != "postgresql":
        SpendLog.objects.bulk_create(entries)
        return
    with connection.cursor() as cursor:
        cursor.execute(*insert_statement(entries))
        mark_saved(entries, ids=[row[0] for row in cursor.fetchall()])


def insert_unless_known(entries: Sequence[SpendLog]) -> list[SpendLog]:
    """Insert the new ledger rows of `entries` (checked, unsaved) and give each its id; the
    entries whose (campaign, external_id) is already on record are not inserted, and returned.

    The pairs of one call are distinct (a batch merges its repeats first), and the caller holds
    the campaigns' row locks (`lock_brands_of`), so no other writer can record the same pair
    in between. On PostgreSQL the check is the insert itself (`ON CONFLICT DO NOTHING` on the
    unique index), one statement: asking for every pair first (`known_spends`) cost a batch of
    1,000 a round trip and a join the planner made a scan of the whole ledger (22 ms at 40,000
    rows, and growing), to learn that nothing was known. SQLite looks up first.
    """
    if not entries:
        return []
    if vendor() != "postgresql":
        known = known_spends(entries)
        on_record = [e.external_id is not None and entry_pair(e) in known for e in entries]
        insert_entries([e for e, is_known in zip(entries, on_record, strict=True) if not is_known])
        return [e for e, is_known in zip(entries, on_record, strict=True) if is_known]
    with connection.cursor() as cursor:
        cursor.execute(*insert_statement(entries, skip_known=True))
        returned = cursor.fetchall()
    # A row with an external id is matched by its pair; the others are never skipped, and come
    # back in input order, as `insert_entries` relies on too.
    id_of = {(campaign_id, key): pk for pk, campaign_id, key in returned if key is not None}
    unkeyed = iter([pk for pk, _, key in returned if key is None])
    inserted, ids, skipped = [], [], []
    for entry in entries:
        pk = next(unkeyed) if entry.external_id is None else id_of.get(entry_pair(entry))
        if pk is None:
            skipped.append(entry)
        else:
            inserted.append(entry)
            ids.append(pk)
    mark_saved(inserted, ids=ids)
    return skipped


def entry_pair(entry: SpendLog) -> tuple[int, str]:
    """The (campaign, external_id) an entry with an external id is known by."""
    return entry.campaign_id, str(entry.external_id)


def insert_statement(
    entries: Sequence[SpendLog], *, skip_known: bool = False, only_if: str = ""
) -> tuple[str, list[Any]]:
    """The INSERT … RETURNING id of `entries` (PostgreSQL) and its parameters.

    `skip_known` leaves out a row whose (campaign, external_id) is on record; `only_if` is a
    condition (SQL) without which nothing is inserted (see `lock_brand_of_spend`).
    """
    now = timezone.now()
    for entry in entries:
        entry.recorded_at = now  # auto_now_add, as save() would set it
    params = [array_text([getattr(e, column) for e in entries]) for column, _ in _ENTRY_COLUMNS]
    return _insert_sql(skip_known=skip_known, only_if=only_if), params


@functools.cache
def _insert_sql(*, skip_known: bool, only_if: str) -> str:
    """`insert_statement`'s text, built once: a spend's Python is a large part of its cost,
    and the text never changes."""
    where = f" WHERE {only_if}" if only_if else ""
    on_conflict = " ON CONFLICT DO NOTHING" if skip_known else ""
    # What was skipped is told by the pairs that came back (`insert_unless_known`).
    returned = ("id", "campaign_id", "external_id") if skip_known else ("id",)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column, _ in _ENTRY_COLUMNS)
    arrays = ", ".join(f"%s::{kind}[]" for _, kind in _ENTRY_COLUMNS)
    return (
        f"INSERT INTO {quote(SpendLog._meta.db_table)} ({columns})"  # noqa: S608 - placeholders only
        f" SELECT * FROM unnest({arrays}){where}{on_conflict}"
        f" RETURNING {', '.join(quote(column) for column in returned)}"
    )


def mark_saved(entries: Sequence[SpendLog], *, ids: Sequence[int]) -> None:
    """Mark `entries` as the stored rows `ids` (as `bulk_create` marks what it inserted); none
    when `ids` is empty (nothing was inserted)."""
    if not ids:
        return
    alias = connection.alias
    for entry, pk in zip(entries, ids, strict=True):
        entry.pk = pk
        entry._state.adding = False
        entry._state.db = alias


def known_spends(spends: Sequence[SpendLog]) -> dict[tuple[int, str], SpendLog]:
    """The ledger rows already recorded under the spends' (campaign, external_id) pairs.

    The pairs are joined to the ledger on the partial unique (campaign, external_id) index:
    exact, and cheap to build, where the ORM (which has no pair lookup) would need one OR
    term per pair at about half a millisecond each. The join says `external_id IS NOT NULL`,
    the index's own condition, so the planner may use the index whatever it guesses of the
    pairs: given a VALUES list without it, PostgreSQL scanned the whole ledger (40 ms at 150,000
    rows, growing with the ledger). On PostgreSQL the pairs go in as two arrays (`unnest`),
    one statement; on SQLite as a VALUES list, as many as its limit on parameters needs.
    """
    pairs = sorted({(s.campaign_id, s.external_id) for s in spends if s.external_id})
    if not pairs:
        return {}
    table = connection.ops.quote_name(SpendLog._meta.db_table)
    join = " ON spend.campaign_id = pairs.campaign_id AND spend.external_id = pairs.external_id"
    select = f"SELECT spend.* FROM {table} spend JOIN"  # noqa: S608 - no values in it
    where = " WHERE spend.external_id IS NOT NULL"
    statements: list[tuple[str, list[Any]]] = []
    if vendor() == "postgresql":
        arrays = "unnest(%s::bigint[], %s::varchar[]) AS pairs(campaign_id, external_id)"
        ids, texts = [pk for pk, _ in pairs], [text for _, text in pairs]
        statements.append((f"{select} {arrays}{join}{where}", [array_text(ids), array_text(texts)]))
    else:
        size = max(connection.ops.bulk_batch_size(["campaign_id", "external_id"], pairs), 1)
        for start in range(0, len(pairs), size):
            chunk = pairs[start : start + size]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            rows = (
                "(SELECT column1 AS campaign_id, column2 AS external_id"  # noqa: S608 - placeholders only
                f" FROM (VALUES {values})) AS pairs"
            )
            statements.append((f"{select} {rows}{join}{where}", [v for p in chunk for v in p]))
    known = {}
    for sql, params in statements:
        for row in SpendLog.objects.raw(sql, params):
            known[entry_pair(row)] = row
    return known


def write_totals(brands: Sequence[Brand] | Sequence[Campaign], *, fields: Sequence[str]) -> None:
    """Store `fields` of `brands` (or of campaigns), whose rows this transaction holds locked:
    one UPDATE.

    Joined to a VALUES list rather than bulk_update's CASE, whose arms the database tries
    one by one for every row (minutes for 10,000 brands) and whose expression objects cost
    more to build than a whole batch of spends.
    """
    with connection.cursor() as cursor:
        for sql, params in _totals_statements(brands, fields=fields):
            cursor.execute(sql, params)


def _totals_statements(
    rows: Sequence[Brand] | Sequence[Campaign], *, fields: Sequence[str]
) -> list[tuple[str, list[Any]]]:
    """`write_totals`' UPDATEs: one on PostgreSQL, as many as SQLite's parameter limit needs."""
    if not rows:
        return []
    model = type(rows[0])
    columns = _columns(model, tuple(fields))
    # The connection itself, not its per-thread proxy, which each value would look up again.
    database = connections[connection.alias]
    values = [
        (
            row.pk,
            *(
                column.get_db_prep_save(getattr(row, column.attname), database)
                for column in columns
            ),
        )
        for row in rows
    ]
    return [
        (
            _totals_sql(model=model, fields=tuple(fields), count=text_size(chunk)),
            row_params(chunk),
        )
        for chunk in row_chunks(values)
    ]


@functools.cache
def _columns(
    model: type[Brand] | type[Campaign], fields: tuple[str, ...]
) -> list["Field[Any, Any]"]:
    """The concrete fields named `fields`, in the model's column order."""
    return [column for column in model._meta.concrete_fields if column.name in fields]


@functools.lru_cache(maxsize=64)
def _totals_sql(*, model: type[Brand] | type[Campaign], fields: tuple[str, ...], count: int) -> str:
    """The text of a `write_totals` UPDATE of `count` rows (`ads.sql.arrays.rows_sql`), built
    once: the same text every time, and building it is a tenth of a spend's Python."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = _columns(model, fields)
    assignments = ", ".join(
        f"{quote(column.column)} = totals.column{number}"
        for number, column in enumerate(columns, start=2)
    )
    totals = rows_sql(name="totals", fields=[model._meta.pk, *columns], count=count)
    return (
        f"UPDATE {table} SET {assignments} FROM {totals}"  # noqa: S608 - placeholders only
        f" WHERE {table}.{quote('id')} = totals.column1"
    )


@dataclass(frozen=True)
class CampaignTotals:
    """A campaign's totals after `write_roll_up`, with the caps they are held to."""

    pk: int
    is_active: bool
    current_daily_spend: Decimal
    total_spend: Decimal
    daily_cap: Decimal | None
    total_cap: Decimal | None


_RETURNED = ("id", "is_active", "current_daily_spend", "total_spend", "daily_cap", "total_cap")
_CAMPAIGN_FIELDS = {f.attname: f for f in Campaign._meta.concrete_fields}
_RETURNED_FIELDS = tuple(_CAMPAIGN_FIELDS[name] for name in _RETURNED)


def write_roll_up(
    brands: Sequence[Brand],
    *,
    fields: Sequence[str],
    added: Sequence[tuple[int, Decimal, Decimal]],
) -> list[CampaignTotals]:
    """The roll-up's writes: `fields` of `brands` (`write_totals`), and (campaign id, to today,
    to all time) added to the campaigns' totals; the campaigns' totals after it.

    A campaign whose total would pass the largest a total holds, or whose day or total would go
    below 0 (a credit created in the shell), is not written, and comes back with the totals it
    would have had, for the caller to refuse (a ValidationError naming the spend, which undoes
    the rest): written, they would be a DataError ("numeric field overflow") or the column's
    check constraint's IntegrityError. Its row is missing from RETURNING, and only then are
    its totals read.

    On PostgreSQL both go in one statement (the brands' UPDATE as a data-modifying WITH), so a
    spend pays one round trip for all its totals. The caller holds the brand and campaign rows
    locked (`lock_brands_of`), so adding in the database loses nothing, and RETURNING gives the
    new totals and the caps without another read. Each campaign sum is rounded to the cent: on
    SQLite a column is a binary double, and the rounded sum is the double nearest the exact
    cents, as an absolute write of a Decimal would store.
    """
    brand_statements = _totals_statements(brands, fields=fields)
    campaign_statements = _addition_statements(added)
    if vendor() == "postgresql" and len(brand_statements) == 1 and len(campaign_statements) == 1:
        (brand_sql, brand_params), (campaign_sql, campaign_params) = (
            brand_statements[0],
            campaign_statements[0],
        )
        brand_statements = []
        campaign_statements = [
            (f"WITH brand_totals AS ({brand_sql}) {campaign_sql}", brand_params + campaign_params)
        ]
    # A single spend's shape runs thousands of times a second with the same text: prepared.
    single = len(brands) == 1 and len(added) == 1
    results = []
    with connection.cursor() as cursor:
        for sql, params in brand_statements:
            cursor.execute(sql, params)
        for sql, params in campaign_statements:
            if single:
                execute_prepared(cursor, sql, params)
            else:
                cursor.execute(sql, params)
            results += [CampaignTotals(*row) for row in _returned_rows(cursor.fetchall())]
    if len(results) < len(added):
        results += _unwritten(added, written={campaign.pk for campaign in results})
    return results


def _unwritten(
    added: Sequence[tuple[int, Decimal, Decimal]], *, written: AbstractSet[int]
) -> list[CampaignTotals]:
    """The campaigns of `added` that the addition left unwritten (see `write_roll_up`), with
    the totals they would have had."""
    unwritten = {pk: (today, to_all_time) for pk, today, to_all_time in added if pk not in written}
    return [
        CampaignTotals(
            pk,
            is_active,
            daily + unwritten[pk][0],
            total + unwritten[pk][1],
            daily_cap,
            total_cap,
        )
        for pk, is_active, daily, total, daily_cap, total_cap in Campaign.objects.filter(
            pk__in=unwritten
        ).values_list(*_RETURNED)
    ]


def _returned_rows(rows: Sequence[Sequence[Any]]) -> Sequence[Sequence[Any]]:
    """The returned campaign rows as the ORM would give them: psycopg2 already gives the ids,
    booleans and Decimals, while SQLite gives its doubles, which the money fields read back as
    the cents written."""
    if vendor() == "postgresql":
        return rows
    return [
        [field.to_python(value) for field, value in zip(_RETURNED_FIELDS, row, strict=True)]
        for row in rows
    ]


def _addition_statements(
    added: Sequence[tuple[int, Decimal, Decimal]],
) -> list[tuple[str, list[Any]]]:
    """`write_roll_up`'s additions to campaign totals: one UPDATE … RETURNING per chunk."""
    return [(_addition_sql(text_size(chunk)), row_params(chunk)) for chunk in row_chunks(added)]


_ADDED_FIELDS = tuple(
    _CAMPAIGN_FIELDS[name] for name in ("id", "current_daily_spend", "total_spend")
)


@functools.lru_cache(maxsize=64)
def _addition_sql(count: int) -> str:
    """The text of an addition to `count` campaigns' totals, built once (see `_totals_sql`)."""
    quote = connection.ops.quote_name
    table = quote(Campaign._meta.db_table)
    daily = quote(_CAMPAIGN_FIELDS["current_daily_spend"].column)
    total = quote(_CAMPAIGN_FIELDS["total_spend"].column)
    returned = ", ".join(f"{table}.{quote(field.column)}" for field in _RETURNED_FIELDS)
    # A campaign whose totals would not fit is left unwritten (see write_roll_up).
    fits = (
        f" AND ROUND({table}.{daily} + added.column2, 2) >= 0"
        f" AND ROUND({table}.{total} + added.column3, 2) BETWEEN 0 AND {largest_total()}"
    )
    return (
        f"UPDATE {table} SET {daily} = ROUND({daily} + added.column2, 2),"  # noqa: S608 - placeholders only
        f" {total} = ROUND({total} + added.column3, 2)"
        f" FROM {rows_sql(name='added', fields=_ADDED_FIELDS, count=count)}"
        f" WHERE {table}.{quote('id')} = added.column1{fits} RETURNING {returned}"
    )


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
