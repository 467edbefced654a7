"""Whether a schedule's window is open now: the window rule applied to a saved schedule."""

from collections.abc import Iterable
from datetime import datetime, time

from django.utils import timezone

from ads.models import DaypartingSchedule
from ads.periods import zone
from ads.rules.windows import window_contains


class DaypartingService:
    """Whether a schedule's window is open, judged in local time there (DST included)."""

    @staticmethod
    def window_contains(
        start: time, end: time, days_of_week: Iterable[int], local: datetime
    ) -> bool:
        """The pure rule: no database, a local wall-clock time in."""
        return window_contains(start, end, list(days_of_week), local)

    @staticmethod
    def is_within_window(schedule: DaypartingSchedule, at: datetime | None = None) -> bool:
        local = (at or timezone.now()).astimezone(zone(schedule.effective_timezone))
        return window_contains(schedule.start_time, schedule.end_time, schedule.days_of_week, local)
