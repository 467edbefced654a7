"""Storing alerts once: the INSERT ... ON CONFLICT DO NOTHING RETURNING of newly raised ones.

Hand-written because the ORM cannot say it: `bulk_create(ignore_conflicts=True)` returns no
ids, and the alerts this statement raised (not those another process raised first) are what
is emailed and published. The unique constraint (brand, kind, level, period) makes
processes that cross a level together store it once, without a lock.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection

from ads.models import BudgetAlert


@dataclass(frozen=True)
class NewAlert:
    brand_id: int
    kind: str
    threshold: int
    period: str
    period_start: date
    raised_at: datetime
    message: str


_COLUMNS = (
    "brand_id",
    "kind",
    "threshold",
    "period",
    "period_start",
    "raised_at",
    "message",
    "email_attempts",
)


def insert_new_alerts(alerts: Sequence[NewAlert]) -> list[BudgetAlert]:
    """Store `alerts`, skipping those already raised; return those stored now, as alerts with
    their ids (built from the values sent, not read back).

    One statement on PostgreSQL (SQLite: as many as its limit on parameters needs). The values
    go straight into the INSERT's own VALUES list, so the database types them by the columns.
    Within one call a (brand, kind, level, period) is raised once, so it names its row.
    """
    if not alerts:
        return []
    sent = {(a.brand_id, a.kind, a.threshold, a.period): a for a in alerts}
    quote = connection.ops.quote_name
    table = quote(BudgetAlert._meta.db_table)
    columns = ", ".join(quote(column) for column in _COLUMNS)
    row = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    columns_of_key = ", ".join(quote(column) for column in _COLUMNS[:4])
    size = max(connection.ops.bulk_batch_size(list(_COLUMNS), alerts), 1)
    stored: list[BudgetAlert] = []
    for start in range(0, len(alerts), size):
        chunk = alerts[start : start + size]
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(chunk))}"  # noqa: S608 - placeholders only
            f" ON CONFLICT DO NOTHING RETURNING {quote('id')}, {columns_of_key}"
        )
        params = [
            value
            for alert in chunk
            for value in (
                alert.brand_id,
                alert.kind,
                alert.threshold,
                alert.period,
                connection.ops.adapt_datefield_value(alert.period_start),
                connection.ops.adapt_datetimefield_value(alert.raised_at),
                alert.message,
                0,
            )
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for pk, *key in cursor.fetchall():
                stored.append(_alert(int(pk), sent[key[0], key[1], key[2], key[3]]))
    return stored


def _alert(pk: int, new: NewAlert) -> BudgetAlert:
    return BudgetAlert(
        pk=pk,
        brand_id=new.brand_id,
        kind=new.kind,
        threshold=new.threshold,
        period=new.period,
        period_start=new.period_start,
        raised_at=new.raised_at,
        message=new.message,
    )
