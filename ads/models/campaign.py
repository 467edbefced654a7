"""A campaign of a brand: its caps and flight, and its dayparting schedule with its windows."""

import json
from collections.abc import Collection, Iterable
from datetime import date, datetime, time
from functools import lru_cache
from typing import TypeGuard

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.timezone import now as current_time
from simple_history.models import HistoricalRecords

from ads.models.base import GuardedModel
from ads.models.brand import Brand
from ads.models.fields import cap_field, total_field
from ads.money import ZERO
from ads.periods import validate_timezone
from ads.rules.windows import ALL_DAYS, WeeklyWindow, overlapping_pairs, window_errors
from ads.validators import validate_text


def is_plain_date(value: object) -> TypeGuard[date]:
    """A date and not a datetime (which is a date to Python, and cannot be compared to one)."""
    return isinstance(value, date) and not isinstance(value, datetime)


def all_days() -> list[int]:
    return list(ALL_DAYS)


class Campaign(GuardedModel):
    # No index of its own: the unique (brand, name) index serves every lookup by brand, and
    # each switch of a sweep would update one more index (migration 0016).
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="campaigns", db_index=False
    )
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
    daily_cap = cap_field(
        "daily cap", help_text="The campaign's own limit per local day; empty means no cap."
    )
    total_cap = cap_field(
        "total cap", help_text="The campaign's limit over its whole life; empty means no cap."
    )
    # The campaign's spend in its brand's current local day (brand.spend_day), and all time.
    current_daily_spend = total_field("spend today", default=ZERO, editable=False)
    total_spend = total_field("spend in total", default=ZERO, editable=False)
    start_date = models.DateField(
        "flight start",
        null=True,
        blank=True,
        help_text="First local day (brand's zone) it may serve; empty means no start.",
    )
    end_date = models.DateField(
        "flight end",
        null=True,
        blank=True,
        help_text="Last local day (brand's zone) it may serve, inclusive; empty means no end.",
    )
    # When the clock alone next changes whether it serves (a window or the flight begins or
    # ends; `ads.rules.transitions`; null: never by the clock), and the instant that was worked
    # out at: `is_active` holds from `checked_at` until `next_check_at`. Written by every sync
    # that judges the campaign; the minute's sweep reads only the campaigns outside that span
    # (due, or judged at a later instant than a clock set back). A row written without a sync
    # (a bulk insert) is due at once, so the next sweep judges it.
    next_check_at = models.DateTimeField(
        "next check", null=True, default=current_time, editable=False
    )
    checked_at = models.DateTimeField("checked", null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    system_fields = frozenset(
        {
            "is_active",
            "current_daily_spend",
            "total_spend",
            "next_check_at",
            "checked_at",
            "created_at",
        }
    )
    # Who changed the caps and the flight (and the switch, name or brand), when, from what: one
    # row per save. `is_active` and the totals are written by queryset updates and not copied.
    history = HistoricalRecords(excluded_fields=sorted(system_fields | {"updated_at"}))

    class Meta:
        ordering = ("brand__name", "name")
        constraints = [
            models.UniqueConstraint(fields=("brand", "name"), name="campaign_name_unique_in_brand"),
            models.CheckConstraint(
                condition=Q(daily_cap__isnull=True) | Q(daily_cap__gte=0),
                name="campaign_daily_cap_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(total_cap__isnull=True) | Q(total_cap__gte=0),
                name="campaign_total_cap_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(current_daily_spend__gte=0), name="campaign_daily_spend_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(total_spend__gte=0), name="campaign_total_spend_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="campaign_flight_ends_after_it_starts",
            ),
        ]
        indexes = [
            models.Index(fields=("is_active", "brand"), name="campaign_active_brand"),
            models.Index(fields=("next_check_at",), name="campaign_next_check"),
            models.Index(fields=("checked_at",), name="campaign_checked"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        # A datetime is a date to Django, which would keep its date in UTC, not the brand's
        # zone: a flight a day off, silently. A flight date must be the local date itself.
        errors: dict[str, list[ValidationError]] = {}
        for name in ("start_date", "end_date"):
            value = getattr(self, name)
            if isinstance(value, datetime) and name not in (exclude or ()):
                message = (
                    f"{value!r} is a datetime; give the local date (a date) in the brand's zone."
                )
                errors[name] = [ValidationError(message, code="datetime_not_date")]
        try:
            super().clean_fields(exclude=[*(exclude or ()), *errors])
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def clean(self) -> None:
        # Not both dates: a field's own check (clean_fields) has reported what is no date.
        start, end = self.start_date, self.end_date
        if is_plain_date(start) and is_plain_date(end) and end < start:
            raise ValidationError(
                {"end_date": "The flight cannot end before it starts (both dates are inclusive)."}
            )
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

    # The extra windows as one text column (`extra_windows_text`), kept by
    # `ads.services.dayparting.store_extra_windows` whenever a window is saved or deleted: a
    # sweep and the reason filter read every schedule's windows in the campaign's row, and the
    # filter groups schedules with the same windows by it. Empty: none.
    extra_windows_text = models.TextField(blank=True, default="", editable=False)

    system_fields = frozenset({"extra_windows_text"})

    # clean() checks the window against its schedule's other windows as stored; a page that
    # edits several windows at once turns this off and checks them together (ads.admin.schedules).
    check_neighbours = True

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(start_time=models.F("end_time")), name="schedule_window_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.describe()

    def clean(self) -> None:
        clean_window(self)
        if self.pk is not None and self.check_neighbours:
            refuse_overlaps(self, list(self.extra_windows.all()))

    @property
    def effective_timezone(self) -> str:
        return self.timezone or self.campaign.brand.timezone

    def describe(self) -> str:
        """'Mon–Fri 22:00–06:00 America/New_York'."""
        return f"{weekly(self)} {self.effective_timezone}"


class DaypartingWindow(GuardedModel):
    """One more window of a schedule, with the same rules as the schedule's own (its first).

    A campaign is inside its schedule when any of its windows is open. Windows of one schedule
    that overlap on the week's timeline are refused, naming both. Validated on every save, like
    the schedule: a bad or overlapping window saved from the shell is refused, nothing stored.
    """

    schedule = models.ForeignKey(
        DaypartingSchedule, on_delete=models.CASCADE, related_name="extra_windows"
    )
    start_time = models.TimeField(help_text="Local time the window opens (inclusive).")
    end_time = models.TimeField(
        help_text="Local time the window closes (exclusive); earlier than the start runs overnight."
    )
    days_of_week = models.JSONField(
        default=all_days, help_text="Weekdays on which the window starts: Monday = 0 … Sunday = 6."
    )

    check_neighbours = True

    class Meta:
        ordering = ("schedule", "start_time", "id")
        constraints = [
            models.CheckConstraint(
                condition=~Q(start_time=models.F("end_time")), name="window_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return str(weekly(self))

    def clean(self) -> None:
        clean_window(self)
        if self.schedule_id is None or not self.check_neighbours:
            return
        schedule = DaypartingSchedule.objects.get(pk=self.schedule_id)
        siblings = schedule.extra_windows.exclude(pk=self.pk) if self.pk else schedule.extra_windows
        refuse_overlaps(self, [schedule, *siblings.all()])


def weekly(window: DaypartingSchedule | DaypartingWindow) -> WeeklyWindow:
    """A stored window's fields as the window rules read them."""
    return WeeklyWindow(window.start_time, window.end_time, tuple(window.days_of_week))


# A window's (start, end, weekdays), as `extra_windows_text` holds it.
WindowFields = tuple[time, time, frozenset[int]]
WINDOW_SEPARATOR = ";"
FIELD_SEPARATOR = "|"


def extra_windows_text(windows: Iterable[tuple[time, time, Iterable[int]]]) -> str:
    """Windows as the schedule's text column: `09:00:00|12:00:00|[0, 1, 2]`, joined by `;`,
    in order of (start, end, days), so that equal sets of windows give equal text."""
    fields = sorted((start, end, sorted(days)) for start, end, days in windows)
    return WINDOW_SEPARATOR.join(
        FIELD_SEPARATOR.join((start.isoformat(), end.isoformat(), json.dumps(days)))
        for start, end, days in fields
    )


@lru_cache(maxsize=4096)
def parse_extra_windows(text: str) -> tuple[WindowFields, ...]:
    """The windows `extra_windows_text` wrote: parsed once per distinct text, not once per row."""
    if not text:
        return ()
    windows = []
    for window in text.split(WINDOW_SEPARATOR):
        start, end, days = window.split(FIELD_SEPARATOR)
        windows.append((time.fromisoformat(start), time.fromisoformat(end), parse_days(days)))
    return tuple(windows)


@lru_cache(maxsize=4096)
def parse_days(text: str) -> frozenset[int]:
    """Weekdays read as JSON text: parsed once per distinct value, not once per row."""
    return frozenset(json.loads(text))


def clean_window(window: DaypartingSchedule | DaypartingWindow) -> None:
    """The field rules of every window (`window_errors`), and its days in order."""
    errors = window_errors(window.start_time, window.end_time, window.days_of_week)
    if errors:
        raise ValidationError(errors)
    window.days_of_week = sorted(window.days_of_week)


def refuse_overlaps(
    window: DaypartingSchedule | DaypartingWindow,
    neighbours: list[DaypartingSchedule | DaypartingWindow],
) -> None:
    """Refuse `window` if it overlaps one of the other windows of its schedule, naming both."""
    mine = weekly(window)
    messages = [
        f"{mine} overlaps {theirs}"
        for theirs in map(weekly, neighbours)
        if overlapping_pairs([mine, theirs])
    ]
    if messages:
        raise ValidationError(messages)
