"""Brands, campaigns, the spend ledger and dayparting schedules.

Models hold data, constraints and small properties; the rules live in `ads.services`. Fields the
system maintains (spend totals, `is_active`) are never written back by an ordinary `save()`: an
object loaded before later spends must not undo them.
"""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from ads.dayparting import ALL_DAYS, describe_days
from ads.money import CENT, DECIMAL_PLACES, MAX_DIGITS, TOTAL_DIGITS, ZERO
from ads.periods import local_period, validate_timezone, zone
from ads.validators import validate_spend_time, validate_text, validate_total


def default_timezone() -> str:
    return str(settings.TIME_ZONE)


def all_days() -> list[int]:
    return list(ALL_DAYS)


class MoneyField(models.DecimalField):  # type: ignore[type-arg]
    """A DecimalField that reads a binary double (SQLite's column) back as the cents written.

    Django turns a float into a Decimal of up to `max_digits` digits: with 20, 99.99 comes
    back as 99.989999999999994884. The shortest text that gives the double back (`repr`) is
    the value written, as long as it has at most 15 digits (the totals are kept within that on
    SQLite, ads.validators.largest_total). Code that reads raw rows through `to_python` (the
    spend's brand lock) gets exact money so. Migrations see a plain DecimalField.
    """

    def to_python(self, value: Any) -> Any:
        if isinstance(value, float):
            return Decimal(repr(value)).quantize(Decimal(1).scaleb(-DECIMAL_PLACES))
        return super().to_python(value)

    def deconstruct(self) -> Any:
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


def money_field(
    verbose_name: str, *, digits: int = MAX_DIGITS, **kwargs: Any
) -> "models.DecimalField[Decimal, Decimal]":
    """A spend amount (MAX_DIGITS) or, with digits=TOTAL_DIGITS, a budget or a total."""
    return MoneyField(verbose_name, max_digits=digits, decimal_places=DECIMAL_PLACES, **kwargs)


def total_field(verbose_name: str, **kwargs: Any) -> "models.DecimalField[Decimal, Decimal]":
    return money_field(verbose_name, digits=TOTAL_DIGITS, **kwargs)


def budget_field(verbose_name: str) -> "models.DecimalField[Decimal, Decimal]":
    return total_field(verbose_name, validators=[MinValueValidator(ZERO), validate_total])


class GuardedModel(models.Model):
    """A model validated on every save, whose `save()` leaves system-maintained columns alone.

    Validating here, not only in forms, keeps a bad time zone typed in the shell from reaching the
    periodic tasks.
    """

    system_fields: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.full_clean()
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in self.system_fields
            ]
        # The receivers that re-evaluate campaigns run in the same transaction as the write.
        with transaction.atomic():
            super().save(*args, **kwargs)


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
    current_daily_spend = total_field("spend today", default=ZERO, editable=False)
    current_monthly_spend = total_field("spend this month", default=ZERO, editable=False)
    # The local day and month (its first day) the totals above belong to.
    spend_day = models.DateField(editable=False)
    spend_month = models.DateField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    system_fields = frozenset(
        {"current_daily_spend", "current_monthly_spend", "spend_day", "spend_month", "created_at"}
    )

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
        return max(self.daily_budget - self.current_daily_spend, ZERO)

    @property
    def monthly_budget_remaining(self) -> Decimal:
        return max(self.monthly_budget - self.current_monthly_spend, ZERO)

    @property
    def is_daily_budget_exceeded(self) -> bool:
        return self.current_daily_spend >= self.daily_budget

    @property
    def is_monthly_budget_exceeded(self) -> bool:
        return self.current_monthly_spend >= self.monthly_budget


class Campaign(GuardedModel):
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=200, validators=[validate_text])
    is_enabled = models.BooleanField(
        "enabled", default=True, help_text="The operator's switch. The system never changes it."
    )
    is_active = models.BooleanField(
        "serving",
        default=False,
        editable=False,
        help_text="Maintained by the system: enabled and every constraint met.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    system_fields = frozenset({"is_active", "created_at"})

    class Meta:
        ordering = ("brand__name", "name")
        constraints = [
            models.UniqueConstraint(fields=("brand", "name"), name="campaign_name_unique_in_brand"),
        ]
        indexes = [models.Index(fields=("is_active", "brand"), name="campaign_active_brand")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.pk is None or self.brand_id is None:
            return
        moved = Campaign.objects.filter(pk=self.pk).exclude(brand_id=self.brand_id)
        if moved.filter(spend_logs__isnull=False).exists():
            raise ValidationError(
                {"brand": "A campaign with recorded spend cannot move to another brand."}
            )


class SpendLog(models.Model):
    """One spend event. Append-only: the ledger every total derives from."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="spend_logs")
    amount = money_field("amount", validators=[MinValueValidator(CENT)])
    timestamp = models.DateTimeField(default=timezone.now, help_text="When the spend happened.")
    description = models.CharField(
        max_length=500, blank=True, default="", validators=[validate_text]
    )
    # NULL, not "", means "no id": the partial unique constraint below skips it.
    external_id = models.CharField(  # noqa: DJ001
        max_length=200,
        null=True,
        blank=True,
        validators=[validate_text],
        help_text="The ad platform's id of the event: a re-delivery with this id counts once.",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    # Not a column. A writer that already holds this spend's brand row locked, read under that
    # lock, hands it to the roll-up receiver here, which then neither locks nor reads it again
    # (BudgetService.record_spend). The receiver clears it.
    locked_brand: "Brand | None" = None

    class Meta:
        ordering = ("-timestamp", "-id")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="spendlog_amount_positive"),
            models.UniqueConstraint(
                fields=("campaign", "external_id"),
                condition=Q(external_id__isnull=False),
                name="spendlog_external_id_unique_per_campaign",
            ),
        ]
        indexes = [models.Index(fields=("campaign", "timestamp"), name="spendlog_campaign_time")]

    def __str__(self) -> str:
        # The campaign by id: a string that needed a query would cost one per row listed.
        when = self.timestamp.astimezone(UTC)
        return f"{self.amount} on campaign #{self.campaign_id} at {when:%Y-%m-%d %H:%M} UTC"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError(
                "The spend ledger is append-only: a recorded spend cannot change."
            )
        # A row created in the shell is checked too; the database checks the campaign and the
        # external id's uniqueness.
        self.full_clean(exclude=["campaign"], validate_constraints=False)
        # The roll-up receiver commits or fails with the row: never a row without its totals.
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError(
            "The spend ledger is append-only: a recorded spend cannot be deleted."
        )

    def clean(self) -> None:
        # Not a datetime: the field's own check (clean_fields) has reported it.
        if isinstance(self.timestamp, datetime):
            validate_spend_time(self.timestamp, now=timezone.now())


class DaypartingSchedule(GuardedModel):
    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="dayparting_schedule"
    )
    start_time = models.TimeField(help_text="Local time the window opens (inclusive).")
    end_time = models.TimeField(
        help_text="Local time the window closes (exclusive); earlier than the start runs overnight."
    )
    days_of_week = models.JSONField(
        default=all_days, help_text="Weekdays on which the window starts: Monday = 0 … Sunday = 6."
    )
    timezone = models.CharField(
        max_length=64,
        blank=True,
        default="",
        validators=[validate_timezone],
        help_text="IANA name; blank means the brand's time zone.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(start_time=models.F("end_time")), name="schedule_window_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.describe()

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start_time is not None and self.start_time == self.end_time:
            errors["end_time"] = "The window must not start and end at the same time."
        days = self.days_of_week
        if (
            not isinstance(days, list)
            or not days
            or any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in days)
            or len(set(days)) != len(days)
        ):
            errors["days_of_week"] = (
                "Give a non-empty list of distinct weekdays from 0 (Monday) to 6 (Sunday)."
            )
        if errors:
            raise ValidationError(errors)
        self.days_of_week = sorted(days)

    @property
    def effective_timezone(self) -> str:
        return self.timezone or self.campaign.brand.timezone

    def describe(self) -> str:
        """'Mon–Fri 22:00–06:00 America/New_York'."""
        return (
            f"{describe_days(self.days_of_week)} "
            f"{self.start_time:%H:%M}–{self.end_time:%H:%M} {self.effective_timezone}"
        )


class CampaignStatusChange(models.Model):
    """One change of a campaign's serving state: when, to what, why, and what caused it."""

    class Cause(models.TextChoices):
        SPEND = "spend", "Spend recorded"
        ENFORCE_BUDGETS = "enforce_budgets", "Budget enforcement task"
        ENFORCE_DAYPARTING = "enforce_dayparting", "Dayparting task"
        RESET = "reset", "Daily/monthly reset"
        OPERATOR = "operator", "Operator change"
        RECONCILE = "reconcile", "Reconciliation"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="status_changes")
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    is_active = models.BooleanField("serving")
    reasons = models.JSONField(default=list, blank=True)
    cause = models.CharField(max_length=32, choices=Cause.choices)

    class Meta:
        ordering = ("-changed_at", "-id")
        indexes = [models.Index(fields=("campaign", "-changed_at"), name="statuschange_campaign")]

    def __str__(self) -> str:
        state = "activated" if self.is_active else "paused"
        return f"{self.campaign_id} {state} ({self.get_cause_display()})"


class TotalsCorrection(models.Model):
    """A repair of a brand's stored totals to the ledger's sums, made by `reconcile_spend --fix`."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="corrections")
    corrected_at = models.DateTimeField(default=timezone.now)
    day = models.DateField(help_text="The local day the totals belong to.")
    daily_before = total_field("daily total before")
    daily_after = total_field("daily total after")
    monthly_before = total_field("monthly total before")
    monthly_after = total_field("monthly total after")

    class Meta:
        ordering = ("-corrected_at", "-id")

    def __str__(self) -> str:
        return f"{self.brand_id} corrected on {self.corrected_at:%Y-%m-%d %H:%M}"
