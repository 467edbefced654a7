"""Pacing and projections: where a period's spend is heading, as pure arithmetic on instants.

A period's share elapsed is counted in real time between its UTC bounds (`ads.periods.
local_period`), so New York's 23-hour spring day and 25-hour autumn day weigh each hour the
same: at local noon of the 23-hour day 11 of 23 hours are gone, not 12 of 24.

- pacing = spend / (budget x share elapsed), 1.00 being on pace; None when the budget is 0
  (nothing to pace against) or no time has elapsed (nothing to divide by).
- projection = spend / share elapsed: where the period ends at this rate; None at its start.

Both are rounded half up to cents. The division is exact: the share is an integer ratio of
microseconds, multiplied through before dividing, in a context wide enough for any total.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Literal

from ads.money import CENT
from ads.periods import offset_changes, zone
from ads.rules.budgets import overrun
from ads.rules.reasons import Window
from ads.rules.windows import window_contains, window_edges

# Wide enough for a 20-digit total times a month's microseconds (~13 digits), and then some.
_PRECISION = 60
_MICROSECOND = timedelta(microseconds=1)

# Pacing below UNDER is under pace, above OVER is over; between them (inclusive) is on pace.
UNDER = Decimal("0.90")
OVER = Decimal("1.10")
Band = Literal["under", "on pace", "over"]


@dataclass(frozen=True)
class Elapsed:
    """How much of a period has gone by, as exact integers of microseconds."""

    elapsed: int
    length: int


def elapsed_share(now: datetime, *, start: datetime, end: datetime) -> Elapsed:
    """The part of [start, end) gone by at `now`, clipped to the period."""
    clipped = min(max(now, start), end)
    return Elapsed(elapsed=(clipped - start) // _MICROSECOND, length=(end - start) // _MICROSECOND)


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal:
    with localcontext(prec=_PRECISION):
        return (numerator / denominator).quantize(CENT, rounding=ROUND_HALF_UP)


def pacing(spend: Decimal, budget: Decimal, *, share: Elapsed) -> Decimal | None:
    """spend / (budget x elapsed / length), half up; None for a budget of 0 or no time gone."""
    if not budget or not share.elapsed:
        return None
    return _ratio(spend * share.length, budget * share.elapsed)


def projection(spend: Decimal, *, share: Elapsed) -> Decimal | None:
    """spend / (elapsed / length), half up: the period's end at this rate; None at its start."""
    if not share.elapsed:
        return None
    return _ratio(spend * share.length, Decimal(share.elapsed))


def band(value: Decimal | None) -> Band | None:
    """How a person reads a pacing: under 0.90 under, 0.90-1.10 on pace, over 1.10 over."""
    if value is None:
        return None
    if value < UNDER:
        return "under"
    return "over" if value > OVER else "on pace"


@dataclass(frozen=True)
class PeriodPace:
    """One period's pacing, projection and overspend (the spend above its budget, >= 0)."""

    pacing: Decimal | None
    projected: Decimal | None
    overspend: Decimal


def period_pace(spend: Decimal, budget: Decimal, *, share: Elapsed) -> PeriodPace:
    return PeriodPace(
        pacing=pacing(spend, budget, share=share),
        projected=projection(spend, share=share),
        overspend=overrun(spend, budget),
    )


def window_spans(
    window: Window, *, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The UTC intervals [opens, closes) within [start, end) in which `window` is open.

    Judged by the window rule itself (`window_contains`) at every instant where the window may
    open or close: each edge's wall time in both readings, and each change of the zone's offset
    (`window_edges`, `offset_changes`); between two of them the wall clock crosses no edge. So
    a DST day agrees with every verdict: an edge DST skips opens or closes the window at the
    jump, and one DST repeats is crossed both times round.
    """
    tz = zone(window.timezone)
    edges = {start}
    edges.update(
        instant
        for instant in window_edges(
            window.start, window.end, window.days_of_week, tz, since=start, until=end
        )
        if start < instant < end
    )
    edges.update(instant for instant in offset_changes(tz, start=start, end=end) if instant < end)
    spans = []
    opened: datetime | None = None
    for instant in sorted(edges):
        local = instant.astimezone(tz)
        is_open = window_contains(window.start, window.end, window.days_of_week, local)
        if is_open and opened is None:
            opened = instant
        elif not is_open and opened is not None:
            spans.append((opened, instant))
            opened = None
    if opened is not None:
        spans.append((opened, end))
    return spans


def scheduled_share(
    windows: tuple[Window, ...], *, now: datetime, start: datetime, end: datetime
) -> Elapsed:
    """The share of the period's scheduled time gone by at `now`: real time inside its windows.

    No windows is no schedule: the whole period is scheduled. A period with no scheduled time
    has length 0 (and elapsed 0), so pacing over it is None.
    """
    if not windows:
        return elapsed_share(now, start=start, end=end)
    spans = [
        (max(opens, start), min(closes, end))
        for window in windows
        for opens, closes in window_spans(window, start=start, end=end)
    ]
    elapsed = length = 0
    for opens, closes in _merged(spans):
        length += (closes - opens) // _MICROSECOND
        elapsed += (min(max(now, opens), closes) - opens) // _MICROSECOND
    return Elapsed(elapsed=elapsed, length=length)


def _merged(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Overlapping spans joined, so a moment two windows share counts once."""
    merged: list[tuple[datetime, datetime]] = []
    for opens, closes in sorted(spans):
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
        else:
            merged.append((opens, closes))
    return merged
