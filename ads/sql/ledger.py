"""Statements over many rows at once that the ORM would build slowly or not at all."""

from collections.abc import Sequence

from django.db import connection

from ads.models import Brand, SpendLog


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


def write_totals(brands: list[Brand], *, fields: Sequence[str]) -> None:
    """Store `fields` of `brands`, whose rows this transaction holds locked: one UPDATE.

    Joined to a VALUES list rather than bulk_update's CASE, whose arms the database tries
    one by one for every row (minutes for 10,000 brands) and whose expression objects cost
    more to build than a whole batch of spends.
    """
    quote = connection.ops.quote_name
    table = quote(Brand._meta.db_table)
    columns = [column for column in Brand._meta.concrete_fields if column.name in fields]
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
