"""The ledger: every spend event, append-only, and the repairs made to totals derived from it.

Append-only above the ORM (`SpendLog.save` and `delete` refuse) and, on PostgreSQL, in the
database itself (migration 0004's trigger refuses UPDATE and DELETE of its rows).
"""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from ads.models.brand import Brand
from ads.models.campaign import Campaign
from ads.models.fields import money_field, total_field
from ads.validators import validate_spend_time, validate_text


class SpendLog(models.Model):
    """One ledger entry: a spend, a credit, a charge or a platform report's correction.

    Append-only: the ledger every total derives from. The sign goes with the kind (the database
    enforces it): spend and charges are > 0, credits < 0, a report entry is the difference
    between the platform's total for a day and the ledger's, either way, never 0.
    """

    class Kind(models.TextChoices):
        SPEND = "spend", "Spend"
        CREDIT = "credit", "Credit"
        CHARGE = "charge", "Charge"
        REPORT = "report", "Platform report"

    # No index of its own: the (campaign, timestamp) index serves every lookup by campaign, and
    # every spend would write one more index entry (migration 0017).
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="spend_logs", db_index=False
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SPEND)
    amount = money_field("amount")
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
    reason = models.CharField(
        max_length=500,
        blank=True,
        default="",
        validators=[validate_text],
        help_text="Why a credit or charge was made; for a report, the platform that sent it.",
    )
    # A name, not a foreign key: deleting the account must not touch the ledger (which the
    # database refuses), and the ledger keeps saying who it was.
    recorded_by = models.CharField(
        max_length=150,
        blank=True,
        default="",
        help_text="The username of whoever recorded it in the admin; empty for the shell, "
        "scripts and API.",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-timestamp", "-id")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind__in=("spend", "charge")) & Q(amount__gt=0))
                | (Q(kind="credit") & Q(amount__lt=0))
                | (Q(kind="report") & ~Q(amount=0)),
                name="spendlog_amount_sign_by_kind",
            ),
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
        if isinstance(self.amount, Decimal) and not amount_fits_kind(self.kind, self.amount):
            raise ValidationError({"amount": SIGN_RULE[self.kind]})


# What the database's sign constraint says, for each kind, as a person reads it.
SIGN_RULE: dict[str, str] = {
    SpendLog.Kind.SPEND: "A spend must be greater than 0.",
    SpendLog.Kind.CHARGE: "A charge must be greater than 0.",
    SpendLog.Kind.CREDIT: "A credit must be less than 0.",
    SpendLog.Kind.REPORT: "A report entry is never 0.",
}


def amount_fits_kind(kind: str, amount: Decimal) -> bool:
    """The sign rule of `spendlog_amount_sign_by_kind`, in Python."""
    if kind == SpendLog.Kind.CREDIT:
        return amount < 0
    if kind == SpendLog.Kind.REPORT:
        return amount != 0
    return amount > 0


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
