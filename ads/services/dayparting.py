"""Whether a schedule is open now: the window rule applied to a saved schedule's windows."""

from collections.abc import Iterable
from datetime import datetime, time

from django.utils import timezone

from ads.models import DaypartingSchedule, DaypartingWindow
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
        """Open when any window of the schedule is: its own or one of its extra windows."""
        local = (at or timezone.now()).astimezone(zone(schedule.effective_timezone))
        windows: list[DaypartingSchedule | DaypartingWindow] = [schedule]
        windows += schedule.extra_windows.all()
        return any(
            window_contains(window.start_time, window.end_time, window.days_of_week, local)
            for window in windows
        )
