"""A campaign's serving history: one row per change of `is_active`, with its cause."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from ads.models.campaign import Campaign


class CampaignStatusChange(models.Model):
    """One change of a campaign's serving state: when, to what, why, and what caused it."""

    class Cause(models.TextChoices):
        SPEND = "spend", "Spend recorded"
        ENFORCE_BUDGETS = "enforce_budgets", "Budget enforcement task"
        ENFORCE_DAYPARTING = "enforce_dayparting", "Dayparting task"
        RESET = "reset", "Daily/monthly reset"
        OPERATOR = "operator", "Operator change"
        RECONCILE = "reconcile", "Reconciliation"

    # Neither a FOREIGN KEY constraint nor an index of its own (migration 0016): rows are
    # written only by a sync (`ads.sql.history`), for campaigns it has just read under their
    # brand's lock, Django cascades a campaign's delete, and the (campaign, -changed_at) index
    # serves every lookup by campaign. A sweep's switch paid a deferred check at commit and one
    # more index insert for them.
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="status_changes",
        db_constraint=False,
        db_index=False,
    )
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    is_active = models.BooleanField("serving")
    reasons = models.JSONField(default=list, blank=True)
    cause = models.CharField(max_length=32, choices=Cause.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The person, when an operator's action caused it (enable, disable, an edit).",
    )

    class Meta:
        ordering = ("-changed_at", "-id")
        indexes = [models.Index(fields=("campaign", "-changed_at"), name="statuschange_campaign")]

    def __str__(self) -> str:
        state = "activated" if self.is_active else "paused"
        return f"{self.campaign_id} {state} ({self.get_cause_display()})"
