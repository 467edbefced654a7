"""Sums of money that are exact on every database the project runs on.

PostgreSQL adds NUMERIC columns exactly. SQLite, the zero-setup default, has no decimal type:
Django declares a DecimalField there as `decimal`, a type with NUMERIC affinity, so 42.65 is
stored as the binary float nearest to it (85.00 as the integer 85) and SUM adds binary floats:
1,000 spends of 42.65 sum to 42650.00000000079. `MoneySum` therefore adds whole cents on SQLite,
as integers, which is exact; its output field (`MoneyTotalField`) rounds what is read back to
the cent. Hand-written SQL: Django has no way to say "cast to integer cents" per backend.
"""

from typing import TYPE_CHECKING, Any

from django.db.models import Sum

from ads.models.fields import MoneyTotalField

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType


class MoneySum(Sum):
    """SUM of an amount of money (2 places), exact on PostgreSQL and on SQLite alike."""

    # The cents of each amount: for any amount of up to 15 significant digits its float is off
    # by less than a fifth of a cent, so rounding it to whole cents recovers the amount exactly.
    _sqlite_cents = "%(function)s(%(distinct)sCAST(ROUND(%(expressions)s * 100) AS INTEGER))"

    def __init__(self, expression: Any, **extra: Any) -> None:
        super().__init__(expression, output_field=MoneyTotalField(), **extra)

    def as_sqlite(
        self, compiler: "SQLCompiler", connection: "BaseDatabaseWrapper", **extra_context: Any
    ) -> "_AsSqlType":
        """Add integer cents, then divide once: the result is the float nearest the exact sum.

        SQLite computes in floats, so the sum stays a money value there (comparable with the
        columns, themselves floats) and reads back exact up to 15 significant digits, all that
        a SQLite decimal column holds (9,999,999,999,999.99).
        """
        cents = self.copy()
        cents.template = self._sqlite_cents
        sql, params = cents.as_sql(compiler, connection, **extra_context)
        return f"({sql} / 100.0)", params
