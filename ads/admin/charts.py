"""Bar charts as server-rendered SVG: this module lays them out, `admin/ads/chart.html` draws them.

Pure layout, no database and no JavaScript: values in, rectangles, ticks and a budget line out
(in the SVG's own units). The machines have no internet, so no chart library from a CDN either.
Amounts on the axis and in each bar's title are `format_money`'s, with the brand's currency.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from itertools import accumulate

from ads.money import ZERO, format_money

WIDTH = 640
HEIGHT = 240
# The plot area inside the SVG: room on the left for amounts, below for times and the caption.
LEFT, RIGHT, TOP, BOTTOM = 104, 16, 16, 196
_NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True)
class Tick:
    """A label at `position` along its axis (x for times, y for amounts)."""

    position: float
    label: str


@dataclass(frozen=True)
class BarSpec:
    """One bar as the caller means it: its value, its axis label (or "" for none) and the
    text a person reads when pointing at it."""

    value: Decimal
    label: str
    title: str


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    caption: str
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    budget_y: float | None
    budget_label: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = BOTTOM


def nice_step(top: Decimal, *, ticks: int = 4) -> Decimal:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that covers `top` in about `ticks`."""
    raw = top / ticks
    power = Decimal(10) ** raw.adjusted()
    return next(step * power for step in _NICE_STEPS if step * power >= raw)


def running_totals(values: Sequence[Decimal]) -> list[Decimal]:
    """What was spent by the end of each hour or day: how spend meets a budget line."""
    return list(accumulate(values, initial=ZERO))[1:]


def bar_chart(
    bars: Sequence[BarSpec],
    *,
    slug: str,
    title: str,
    caption: str,
    currency: str,
    budget: Decimal | None,
) -> Chart:
    """Lay out `bars` from 0 up to the larger of the highest bar and the budget line.

    A bar below 0 (a credit larger than an hour's spend) is drawn at 0; its title keeps the
    amount. The y axis is in round steps labelled with the currency.
    """
    highest = max([bar.value for bar in bars] + [budget or ZERO, ZERO])
    step = nice_step(highest if highest > 0 else Decimal(1))
    # Up to the step at or above the highest value (Decimal's // truncates: not a ceiling).
    steps = int((max(highest, step) / step).to_integral_value(rounding=ROUND_CEILING))
    top_value = step * steps

    def y_of(value: Decimal) -> float:
        share = max(value, ZERO) / top_value
        return float(BOTTOM - (BOTTOM - TOP) * share)

    slot = (WIDTH - RIGHT - LEFT) / max(len(bars), 1)
    laid = [
        Bar(
            x=LEFT + slot * index + slot * 0.1,
            y=y_of(bar.value),
            width=slot * 0.8,
            height=BOTTOM - y_of(bar.value),
            title=bar.title,
        )
        for index, bar in enumerate(bars)
    ]
    return Chart(
        slug=slug,
        title=title,
        caption=caption,
        bars=laid,
        y_ticks=[Tick(y_of(step * n), format_money(step * n, currency)) for n in range(steps + 1)],
        x_ticks=[
            Tick(LEFT + slot * index + slot / 2, bar.label)
            for index, bar in enumerate(bars)
            if bar.label
        ],
        budget_y=None if budget is None else y_of(budget),
        budget_label="" if budget is None else f"Budget {format_money(budget, currency)}",
    )
