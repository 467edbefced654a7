"""A schedule's extra windows as one text column, read with its campaign in the same row.

The verdict of a campaign depends on all of its schedule's windows. Reading them as a text
column of the campaign's row (a correlated subquery, served by the index on the window's
schedule) keeps a sweep at one query whatever the number of campaigns and windows, and lets
campaigns whose schedules have the same windows be grouped in SQL (the reason filter).

Each window reads `start|end|days` (`09:00:00|12:00:00|[0, 1, 2]`), the windows joined by `;`.
Hand-written: Django 5.2 has no portable ordered string aggregate. PostgreSQL orders the
windows by their text, so equal sets of windows give equal text; SQLite 3.40 cannot order
GROUP_CONCAT and joins them in the order it reads the rows, which is stable for one schedule.
"""

from typing import TYPE_CHECKING, Any

from django.db.models import Aggregate, F, Func, OuterRef, Subquery, TextField
from django.db.models.functions import Cast

from ads.models import DaypartingWindow

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

WINDOW_SEPARATOR = ";"
FIELD_SEPARATOR = "|"


class _WindowText(Func):
    """One window's fields as text, joined without parameters (the aggregate repeats it)."""

    template = "%(expressions)s"
    arg_joiner = f" || '{FIELD_SEPARATOR}' || "
    output_field = TextField()


class _WindowsText(Aggregate):
    function = "STRING_AGG"
    template = f"%(function)s(%(expressions)s, '{WINDOW_SEPARATOR}' ORDER BY %(expressions)s)"
    output_field = TextField()

    def as_sqlite(
        self, compiler: "SQLCompiler", connection: "BaseDatabaseWrapper", **extra_context: Any
    ) -> "_AsSqlType":
        return self.as_sql(
            compiler,
            connection,
            function="GROUP_CONCAT",
            template=f"%(function)s(%(expressions)s, '{WINDOW_SEPARATOR}')",
            **extra_context,
        )


def extra_windows_text(schedule: str) -> Subquery:
    """The extra windows of the schedule whose pk is the outer query's `schedule` column, as
    text; NULL when it has none."""
    fields = (Cast(F(name), TextField()) for name in ("start_time", "end_time", "days_of_week"))
    windows = (
        DaypartingWindow.objects.filter(schedule=OuterRef(schedule))
        .order_by()
        .values("schedule")
        .annotate(text=_WindowsText(_WindowText(*fields)))
        .values("text")
    )
    return Subquery(windows, output_field=TextField())
