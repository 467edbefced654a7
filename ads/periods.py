"""Local days and months: a brand's day begins at local midnight in its own time zone.

Everything is stored in UTC; these functions turn an instant into the local day and month it
belongs to, and a local day or month back into the UTC instants that bound it (DST included).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError


@cache
def timezone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_timezone(name: str) -> None:
    if name not in timezone_names():
        raise ValidationError(
            f"{name!r} is not an IANA time zone name (for example 'Europe/Paris').",
            code="invalid_timezone",
        )


@cache
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{name!r} is not an IANA time zone name.") from None


def month_of(day: date) -> date:
    """The first day of the month `day` is in: how a month is named throughout."""
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant a local day begins.

    Where DST skips midnight itself, the wall clock 00:00 does not exist; zoneinfo reads it with
    the offset in force before the jump, which is exactly the instant the day begins.
    """
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class LocalPeriod:
    """The local day and month an instant falls in, with their bounds in UTC."""

    day: date
    month: date
    day_start: datetime
    day_end: datetime
    month_start: datetime
    month_end: datetime

    def contains_day(self, instant: datetime) -> bool:
        return self.day_start <= instant < self.day_end

    def contains_month(self, instant: datetime) -> bool:
        return self.month_start <= instant < self.month_end


def local_period(instant: datetime, tz: ZoneInfo) -> LocalPeriod:
    day = instant.astimezone(tz).date()
    month = month_of(day)
    return LocalPeriod(
        day=day,
        month=month,
        day_start=local_midnight(day, tz),
        day_end=local_midnight(day + timedelta(days=1), tz),
        month_start=local_midnight(month, tz),
        month_end=local_midnight(next_month(month), tz),
    )


# Offsets change at most a few times a year: sampled this often, a change is never missed.
_OFFSET_SAMPLE = timedelta(hours=6)


def offset_changes(tz: ZoneInfo, *, start: datetime, end: datetime) -> Iterator[datetime]:
    """The instants in [start, end] at which `tz` changes its UTC offset (to the second, as
    the time zone database gives them): where the wall clock jumps forward or back."""
    here = start
    while here < end:
        there = min(here + _OFFSET_SAMPLE, end)
        before = here.astimezone(tz).utcoffset()
        if there.astimezone(tz).utcoffset() != before:
            low, high = int(here.timestamp()), int(there.timestamp()) + 1
            while high - low > 1:
                middle = (low + high) // 2
                if datetime.fromtimestamp(middle, tz).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            yield datetime.fromtimestamp(high, UTC)
        here = there
