"""A campaign of a brand, and its dayparting schedule (at most one)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from ads.models.base import GuardedModel
from ads.models.brand import Brand
from ads.periods import validate_timezone
from ads.rules.windows import ALL_DAYS, describe_days
from ads.validators import validate_text


def all_days() -> list[int]:
    return list(ALL_DAYS)


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
