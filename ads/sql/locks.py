"""Row locks on brands (and the campaigns a spend names) and the periodic-work advisory lock.

A single spend takes its lock in the same statement as its ledger insert
(`lock_brand_of_spend`): the insert's text is `ads.sql.ledger`'s, the lock is here. See the
locking rule in `ads.sql`. SQLite has no row locks: a writer holds the whole database
there, so the row-lock clauses are left out and the advisory lock is nothing at all.
"""

import enum
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, connections
from django.db.models import QuerySet

from ads.database import vendor
from ads.models import Brand, Campaign, SpendLog
from ads.sql.arrays import ARRAYS, array_text, as_arrays
from ads.sql.ledger import insert_statement, insert_unless_known, mark_saved
from ads.sql.prepared import execute_prepared

# What a spend's roll-up reads of the brand it locks, in the model's column order (from_db).
TOTAL_FIELDS = ("current_daily_spend", "current_monthly_spend", "spend_day", "spend_month")
_BUDGETS = ("daily_budget", "monthly_budget", *TOTAL_FIELDS)
_ROLL_UP_COLUMNS = tuple(
    f
    for f in Brand._meta.concrete_fields
    if f.attname
    in {"id", "name", "timezone", "currency", "alert_thresholds", "last_recorded_at", *_BUDGETS}
)
_ROLL_UP_FIELDS = tuple(f.attname for f in _ROLL_UP_COLUMNS)


class AdvisoryLock(enum.IntEnum):
    """PostgreSQL advisory lock keys of this project. Never reuse or renumber one."""

    # "The periodic budget work": one sweep or reset at a time.
    PERIODIC_WORK = 7_245_310_481


def lock_brands(brands: QuerySet[Brand]) -> None:
    """Lock `brands` in pk order (brand rows only), as every writer does before its changes."""
    list(brands.order_by("pk").select_for_update(no_key=True).values_list("pk", flat=True))


def lock_brand_ids(brand_ids: Sequence[int]) -> list[int]:
    """Lock the brands `brand_ids` in pk order; the ids of those that exist, in that order.

    Hand-written for the sweeps, which lock a batch's brands hundreds of times in a half flip:
    `lock_brands` over `pk IN (SELECT brand_id …)` made the planner hash-join all the brands
    for each batch (1.7 ms at 10,000 brands), while `id = ANY(ids)` reads the few through the
    primary key.
    """
    if not brand_ids:
        return []
    quote = connection.ops.quote_name
    brand_table, pk = quote(Brand._meta.db_table), quote("id")
    sql = f"SELECT {pk} FROM {brand_table} WHERE {pk}"  # noqa: S608 - placeholders only
    with connection.cursor() as cursor:
        if vendor() == "postgresql":
            cursor.execute(
                f"{sql} = ANY(%s) ORDER BY {pk} FOR NO KEY UPDATE", [array_text(brand_ids)]
            )
        else:  # SQLite: no arrays, and no row locks (a writer holds the whole database)
            placeholders = ", ".join(["%s"] * len(brand_ids))
            cursor.execute(f"{sql} IN ({placeholders}) ORDER BY {pk}", list(brand_ids))
        return [brand_id for (brand_id,) in cursor.fetchall()]


def lock_brand_of(campaign_id: int) -> Brand:
    """Lock a campaign and its brand and read what a spend's roll-up needs (see lock_brands_of)."""
    brand = lock_brands_of([campaign_id]).get(campaign_id)
    if brand is None:
        raise ValidationError({"campaign": f"Campaign {campaign_id} does not exist."})
    return brand


def lock_brand_of_spend(entry: SpendLog) -> tuple[Brand, bool]:
    """A single spend's first statement: `lock_brand_of(entry.campaign_id)`, then the insert of
    `entry` unless its (campaign, external_id) is on record; (the brand, whether it was).

    One round trip on PostgreSQL instead of two (a spend's cost is mostly round trips), and a
    prepared statement (`ads.sql.prepared`), planned once per connection: the lock is a WITH
    query, and the insert's rows exist only if it returned the campaign, so
    the insert runs after the locks are held, as the locking rule asks. A campaign that moved
    to another brand while this waited returns nothing and inserts nothing; it is read once
    more, as in `lock_brands_of`. SQLite takes the two statements.
    """
    if vendor() != "postgresql":
        return lock_brand_of(entry.campaign_id), not insert_unless_known([entry])
    locked, lock_params = _locked_rows_statement([entry.campaign_id])
    insert, params = insert_statement(
        [entry], skip_known=True, only_if="EXISTS (SELECT FROM locked)"
    )
    sql = (
        f"WITH locked AS ({locked}), inserted AS ({insert})"  # noqa: S608 - placeholders only
        " SELECT locked.*, (SELECT id FROM inserted) FROM locked"
    )
    for _attempt in range(2):
        with connection.cursor() as cursor:
            execute_prepared(cursor, sql, [*lock_params, *params])
            row = cursor.fetchone()
        if row is not None:
            _, *columns, pk = row
            mark_saved([entry], ids=[pk] if pk is not None else [])
            return _brand(columns), pk is not None
    raise ValidationError({"campaign": f"Campaign {entry.campaign_id} does not exist."})


def lock_brands_of(campaign_ids: Iterable[int]) -> dict[int, Brand]:
    """Lock campaigns and their brands (brand pk order); map each campaign to its brand.

    Hand-written: it runs once per spend, and compiling it through the ORM costs several times
    what the database spends running it (nor can the ORM lock a joined row from a values()
    query). Each brand is built once with the columns the roll-up needs (the others load on
    access, as with `only()`), its values through the backend's converters as the ORM's would
    be, so SQLite (which stores decimals as floats) still gives exact Decimal and date. A
    campaign that does not exist is missing from the map.

    The campaign rows are locked too, so a move to another brand committed while this waited is
    seen: the row no longer joins the brand it was read with, and it is read once more (a new
    snapshot) with the brand it has now. Without it, a spend that waited on the old brand would
    roll up into the brand the campaign has just left.
    """
    wanted = set(campaign_ids)
    brand_of: dict[int, Brand] = {}
    brands: dict[int, Brand] = {}
    for _attempt in range(2):
        for campaign_id, *row in _locked_rows(sorted(wanted - brand_of.keys())):
            brand = brands.get(int(row[0]))
            if brand is None:
                brand = brands[int(row[0])] = _brand(row)
            brand_of[campaign_id] = brand
        if brand_of.keys() >= wanted:
            break
    return brand_of


def _locked_rows(campaign_ids: list[int]) -> list[tuple[Any, ...]]:
    """(campaign id, *the roll-up's brand columns) per campaign, rows locked in brand order."""
    if not campaign_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(*_locked_rows_statement(campaign_ids))
        return list(cursor.fetchall())


def _locked_rows_statement(campaign_ids: list[int]) -> tuple[str, list[Any]]:
    """`_locked_rows`' statement and parameters: many ids as one array text on PostgreSQL
    (`ads.sql.arrays`: one statement for any number, read in one pass), else one placeholder
    each. A single spend's one id stays a plain value: its statement is prepared, and one with
    an array parameter would be planned again at every run (`ads.sql.arrays.as_arrays`)."""
    if as_arrays(len(campaign_ids)):
        return _locked_rows_sql(ARRAYS), [array_text(campaign_ids)]
    return _locked_rows_sql(len(campaign_ids)), list(campaign_ids)


@functools.lru_cache(maxsize=64)
def _locked_rows_sql(count: int) -> str:
    """`_locked_rows`' statement for `count` campaigns (`ARRAYS`: any number, as an array), built
    once: a spend's Python is a large part of its cost, and the text is the same every time."""
    quote = connection.ops.quote_name
    brand_table = quote(Brand._meta.db_table)
    campaign_table = quote(Campaign._meta.db_table)
    columns = ", ".join(f"{brand_table}.{quote(f.column)}" for f in _ROLL_UP_COLUMNS)
    # SQLite has no row locks (a writer holds the whole database): nothing to add there.
    lock = f" FOR NO KEY UPDATE OF {brand_table}, {campaign_table}" if vendor() != "sqlite" else ""
    wanted = "= ANY(%s::bigint[])" if count == ARRAYS else f"IN ({', '.join(['%s'] * count)})"
    return (
        f"SELECT {campaign_table}.{quote('id')}, {columns}"  # noqa: S608 - placeholders only
        f" FROM {brand_table} JOIN {campaign_table}"
        f" ON {campaign_table}.{quote('brand_id')} = {brand_table}.{quote('id')}"
        f" WHERE {campaign_table}.{quote('id')} {wanted}"
        f" ORDER BY {brand_table}.{quote('id')}, {campaign_table}.{quote('id')}{lock}"
    )


_Converter = Callable[[Any, Any, Any], Any]


@functools.cache
def _brand_converters() -> list[tuple[int, Any, list[_Converter]]]:
    """(position, column, its backend's and field's converters) of each roll-up column that
    has any, looked up once rather than once per value: on PostgreSQL only the
    alert levels' JSON."""
    converters = []
    for position, field in enumerate(_ROLL_UP_COLUMNS):
        column = field.get_col(field.model._meta.db_table)
        steps = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if steps:
            converters.append((position, column, steps))
    return converters


def _brand(row: Sequence[Any]) -> Brand:
    """A brand built from the roll-up's columns as read raw, through the backend's converters
    as the ORM's would be."""
    # The connection itself, not its per-thread proxy, which each value would look up again.
    database = connections[connection.alias]
    values = list(row)
    for position, column, steps in _brand_converters():
        for step in steps:
            values[position] = step(values[position], column, database)
    return Brand.from_db(database.alias, _ROLL_UP_FIELDS, values)


@contextmanager
def periodic_work_lock() -> Iterator[None]:
    """One periodic run at a time: a session-level advisory lock held for the whole run.

    The services already lock brand rows in pk order, so overlapping runs reach the same state
    without deadlock. This lock adds two things: runs of the periodic tasks queue up behind each
    other as a whole instead of waiting on brand after brand, and a late duplicate does its
    reading after the first run has finished, so it finds nothing left to change. It is held by
    the session, not a transaction, so that a run commits its changes in short transactions
    (a sweep locks a batch's brands only while it switches them) and spends never wait for a
    whole run. It is released at the end, on an error too, and by the death of the connection,
    so a crashed worker never leaves it held.
    """
    if vendor() != "postgresql":
        # SQLite, the newcomer's default, serialises writers anyway.
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [AdvisoryLock.PERIODIC_WORK])
    try:
        yield
    finally:
        _release_periodic_work_lock()


def _release_periodic_work_lock() -> None:
    """Unlock; on a broken connection close it instead, which releases the lock too."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [AdvisoryLock.PERIODIC_WORK])
    except DatabaseError:
        connection.close()
