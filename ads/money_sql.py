"""Sums of money that are exact on every database the project runs on.

PostgreSQL adds NUMERIC columns exactly. SQLite, the zero-setup default, has no decimal type:
Django declares a DecimalField there as `decimal`, a type with NUMERIC affinity, so 42.65 is
stored as the binary float nearest to it (85.00 as the integer 85) and SUM adds binary floats:
1,000 spends of 42.65 sum to 42650.00000000079. Django turns a computed decimal into a Decimal of
15 significant digits without rounding it to the field's places (it rounds plain columns only),
so that sum read as 42650.0000000008 and a sum of whole amounts as 40, not 40.00.

`MoneySum` therefore adds whole cents on SQLite, as integers, which is exact, and `MoneyTotalField`
rounds what is read back to the cent.
"""

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Sum

from ads.money import CENT, DECIMAL_PLACES

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.expressions import Expression
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

    _DecimalField = models.DecimalField[Decimal, Decimal]
else:
    _DecimalField = models.DecimalField

# Sums of many amounts outgrow one amount's column; 20 digits are beyond any real total.
TOTAL_DIGITS = 20


class MoneyTotalField(_DecimalField):
    """The output field of a computed amount of money: read back as a Decimal to the cent.

    Only for expressions, never a column. A sum of amounts of 2 places has 2 places, so rounding
    to the cent changes no value: it drops what a float (SQLite) left beyond them.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", TOTAL_DIGITS)
        kwargs.setdefault("decimal_places", DECIMAL_PLACES)
        super().__init__(*args, **kwargs)

    def from_db_value(
        self,
        value: Decimal | float | None,
        expression: "Expression",
        connection: "BaseDatabaseWrapper",
    ) -> Decimal | None:
        return None if value is None else Decimal(value).quantize(CENT)


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
