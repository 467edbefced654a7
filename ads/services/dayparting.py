"""Whether a schedule is open now: the window rule applied to a saved schedule's windows.

And the schedule's copy of its extra windows as text (`store_extra_windows`), which the sweeps
and the reason filter read in the campaign's row.
"""

from collections.abc import Iterable
from datetime import datetime, time

from django.utils import timezone

from ads.models import DaypartingSchedule, DaypartingWindow
from ads.models.campaign import extra_windows_text
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


def store_extra_windows(schedule_id: int) -> None:
    """Write the schedule's extra windows, as stored now, into its `extra_windows_text`.

    Called after every window save or delete, in its transaction and under the brand lock the
    window's change took, so the text always matches the windows a verdict is drawn from.
    """
    windows = DaypartingWindow.objects.filter(schedule_id=schedule_id).values_list(
        "start_time", "end_time", "days_of_week"
    )
    DaypartingSchedule.objects.filter(pk=schedule_id).update(
        extra_windows_text=extra_windows_text(windows)
    )
