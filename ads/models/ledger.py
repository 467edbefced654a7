"""The ledger: every spend event, append-only, and the repairs made to totals derived from it.

Append-only above the ORM (`SpendLog.save` and `delete` refuse) and, on PostgreSQL, in the
database itself (migration 0004's trigger refuses UPDATE and DELETE of its rows).
"""

from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from ads.models.brand import Brand
from ads.models.campaign import Campaign
from ads.models.fields import money_field, total_field
from ads.money import CENT
from ads.validators import validate_spend_time, validate_text


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
