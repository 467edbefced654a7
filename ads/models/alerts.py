"""Budget alerts: a threshold reached, or a brand's data gone stale, raised once per period."""

from django.db import models
from django.utils import timezone

from ads.models.brand import Brand
from ads.models.campaign import Campaign


class BudgetAlert(models.Model):
    """One alert. Raised once per brand, kind, level and period (the unique constraint), so
    processes crossing a threshold together raise it once; raised again in the next period."""

    class Kind(models.TextChoices):
        THRESHOLD = "threshold", "Threshold reached"
        STALE_DATA = "stale_data", "Stale data"

    class Period(models.TextChoices):
        DAY = "day", "Day"
        MONTH = "month", "Month"

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="alerts")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The percent of the budget reached; 0 for an alert that has no level (stale data).
    threshold = models.PositiveIntegerField(default=0)
    period = models.CharField(max_length=8, choices=Period.choices)
    period_start = models.DateField(help_text="The local day, or first of the month, it is for.")
    raised_at = models.DateTimeField(default=timezone.now, db_index=True)
    message = models.TextField()
    # Emailing happens after commit, by a task; the periodic sweep sends what was left.
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-raised_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("brand", "kind", "threshold", "period", "period_start"),
                name="alert_once_per_level_and_period",
            ),
        ]
        indexes = [
            models.Index(
                fields=("raised_at",),
                condition=models.Q(emailed_at__isnull=True),
                name="alert_not_emailed",
            ),
        ]

    def __str__(self) -> str:
        return self.message
