"""The flight rule: a campaign may serve on the local days from its start date to its end date.

Both dates are inclusive local dates in the brand's time zone: the flight opens at local
midnight at the start of `start` and closes at local midnight after `end` (a 23- or 25-hour
day across DST included, since the verdict is drawn from the local date). Either may be empty.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Flight:
    """A campaign's flight dates and the time zone its local days are in (the brand's)."""

    start: date | None
    end: date | None
    timezone: str


def before_start(flight: Flight, day: date) -> bool:
    """Whether local `day` comes before the flight's first day."""
    return flight.start is not None and day < flight.start


def has_ended(flight: Flight, day: date) -> bool:
    """Whether local `day` comes after the flight's last day."""
    return flight.end is not None and day > flight.end
