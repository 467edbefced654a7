"""A brand: the agency's client, with daily and monthly budgets in its own time zone."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ads.models.base import GuardedModel
from ads.models.fields import budget_field, total_field
from ads.money import ZERO
from ads.periods import local_period, validate_timezone, zone
from ads.rules import budgets
from ads.validators import (
    validate_alert_emails,
    validate_alert_thresholds,
    validate_currency,
    validate_text,
)


def default_timezone() -> str:
    return str(settings.TIME_ZONE)


class Brand(GuardedModel):
    name = models.CharField(max_length=200, unique=True, validators=[validate_text])
    daily_budget = budget_field("daily budget")
    monthly_budget = budget_field("monthly budget")
    timezone = models.CharField(
        max_length=64,
        default=default_timezone,
        validators=[validate_timezone],
        help_text="IANA name, e.g. Europe/Paris: the brand's days begin at local midnight there.",
    )
    currency = models.CharField(
        max_length=3,
        default="USD",
        validators=[validate_currency],
        help_text="ISO 4217 code, e.g. EUR: how the brand's amounts are shown (never converted).",
    )
    alert_thresholds = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_alert_thresholds],
        help_text="Percents of a budget that raise an alert, e.g. [50, 80, 100]; empty means "
        "the site's default (BUDGET_ALERT_THRESHOLDS).",
    )
    alert_emails = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_alert_emails],
        help_text="Addresses the brand's alerts are emailed to.",
    )
    current_daily_spend = total_field("spend today", default=ZERO, editable=False)
    current_monthly_spend = total_field("spend this month", default=ZERO, editable=False)
    # The local day and month (its first day) the totals above belong to.
    spend_day = models.DateField(editable=False)
    spend_month = models.DateField(editable=False)
    # When its newest ledger entry was recorded (None: none yet), kept by the roll-up, so the
    # stale-data check reads the brands and never the ledger.
    last_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    system_fields = frozenset(
        {
            "current_daily_spend",
            "current_monthly_spend",
            "spend_day",
            "spend_month",
            "last_recorded_at",
            "created_at",
        }
    )
    # Who changed the budgets (and the name or zone), when, from what: one row per save. The
    # totals are written by queryset updates, never by save(), and are not copied either.
    history = HistoricalRecords(excluded_fields=sorted(system_fields | {"updated_at"}))

    class Meta:
        ordering = ("name",)
        constraints = [
            models.CheckConstraint(
                condition=Q(daily_budget__gte=0), name="brand_daily_budget_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(monthly_budget__gte=0), name="brand_monthly_budget_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(current_daily_spend__gte=0), name="brand_daily_spend_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(current_monthly_spend__gte=0),
                name="brand_monthly_spend_not_negative",
            ),
            models.CheckConstraint(condition=~Q(timezone=""), name="brand_timezone_not_blank"),
        ]
        # The reset's questions, whatever the number of brands: which zones are in use, and
        # which brands of a zone are still in an earlier local day.
        indexes = [models.Index(fields=("timezone", "spend_day"), name="brand_zone_day")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and self.spend_day is None:
            # A new brand's (empty) totals belong to its current local day and month.
            try:
                tz = zone(self.timezone)
            except ValidationError as error:
                # Name the field, as full_clean would have.
                raise ValidationError({"timezone": error.messages}) from None
            period = local_period(timezone.now(), tz)
            self.spend_day = period.day
            self.spend_month = period.month
        super().save(*args, **kwargs)

    @property
    def daily_budget_remaining(self) -> Decimal:
        return budgets.remaining(self.current_daily_spend, self.daily_budget)

    @property
    def monthly_budget_remaining(self) -> Decimal:
        return budgets.remaining(self.current_monthly_spend, self.monthly_budget)

    @property
    def is_daily_budget_exceeded(self) -> bool:
        return budgets.is_exceeded(self.current_daily_spend, self.daily_budget)

    @property
    def is_monthly_budget_exceeded(self) -> bool:
        return budgets.is_exceeded(self.current_monthly_spend, self.monthly_budget)
