"""Money fields: one precision for amounts, a wider one for budgets and totals, exact on SQLite.

SQLite, the zero-setup default, has no decimal type: Django's decimal column there holds a
binary double (42.65 as the float nearest to it). Both fields below read such a double back as
the cents that were written, so money stays exact on every database the project runs on.
"""

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from ads.money import CENT, DECIMAL_PLACES, MAX_DIGITS, TOTAL_DIGITS, ZERO
from ads.validators import validate_total

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.expressions import Expression

    # DecimalField is generic only in django-stubs: no runtime __class_getitem__.
    _DecimalField = models.DecimalField[Decimal, Decimal]
else:
    _DecimalField = models.DecimalField


class MoneyField(_DecimalField):
    """A money column that reads a binary double (SQLite's column) back as the cents written.

    Django turns a float into a Decimal of up to `max_digits` digits: with 20, 99.99 comes back
    as 99.989999999999994884. The shortest text that gives the double back (`repr`) is the value
    written, as long as it has at most 15 digits (the totals are kept within that on SQLite,
    ads.validators.largest_total). Migrations see a plain DecimalField.
    """

    def to_python(self, value: Any) -> Any:
        if isinstance(value, float):
            return Decimal(repr(value)).quantize(CENT)
        return super().to_python(value)

    def clean(self, value: Any, model_instance: models.Model | None) -> Any:
        """Refuse a float given for this field (a model's full_clean: the shell, a script), as
        `ads.money.parse_amount` refuses one for a spend: 10.005 would be rounded to a cent
        without a word, and 0.1 + 0.2 is not 0.3 in binary. Reads never come through here."""
        if isinstance(value, float):
            raise ValidationError(
                f"{value!r} is a float; give a Decimal or a string such as Decimal('12.50').",
                code="float",
            )
        return super().clean(value, model_instance)

    def deconstruct(self) -> Any:
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


class MoneyTotalField(_DecimalField):
    """The output field of a computed amount of money (a sum): read back to the cent.

    Only for expressions, never a column. Django rounds plain decimal columns to their places
    but not computed values, so a SQLite sum read as 42650.0000000008 or as 40 for 40.00. A sum
    of amounts of 2 places has 2 places: rounding to the cent drops only what a float added.
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


def money_field(verbose_name: str, *, digits: int = MAX_DIGITS, **kwargs: Any) -> MoneyField:
    """A spend amount (MAX_DIGITS) or, with digits=TOTAL_DIGITS, a budget or a total."""
    return MoneyField(verbose_name, max_digits=digits, decimal_places=DECIMAL_PLACES, **kwargs)


def total_field(verbose_name: str, **kwargs: Any) -> MoneyField:
    return money_field(verbose_name, digits=TOTAL_DIGITS, **kwargs)


def budget_field(verbose_name: str) -> MoneyField:
    return total_field(verbose_name, validators=[MinValueValidator(ZERO), validate_total])


def cap_field(verbose_name: str, **kwargs: Any) -> MoneyField:
    """An optional limit (a campaign's cap): a budget that may be left empty, meaning none."""
    return total_field(
        verbose_name,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO), validate_total],
        **kwargs,
    )
