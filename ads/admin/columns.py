"""Columns several pages show: spend against a budget, a campaign's brand and schedule, the
reasons of a status change, the budget history."""

from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ads.models import Campaign, CampaignStatusChange, DaypartingSchedule, SpendLog
from ads.rules import budgets, pacing
from ads.selectors import FieldChange


def budget_history_table(changes: list[FieldChange]) -> str:
    """The budget history of a brand or campaign page: when (in the brand's zone), who, what.

    Values as typed: amounts with their cents, dates as YYYY-MM-DD, "none" for an empty one.
    """
    rows = [
        {
            "when": f"{change.when:%Y-%m-%d %H:%M:%S} {change.zone}",
            "who": change.who,
            "field": change.field,
            "old": "none" if change.old is None else str(change.old),
            "new": "none" if change.new is None else str(change.new),
        }
        for change in changes
    ]
    return render_to_string("admin/ads/budget_history.html", {"rows": rows})


def usage(spend: Decimal, *, budget: Decimal) -> SafeString:
    """Spend against budget over a bar of the share used: amber from 80%, red once exceeded.

    Past the budget it says by how much ("249.00 over"): "0.00 left" hides the overrun. The
    verdict, what is left and the overrun are the budget rule's (`ads.rules.budgets`).
    """
    percent = (spend * 100 / budget).quantize(Decimal(1), ROUND_DOWN) if budget else None
    exceeded = budgets.is_exceeded(spend, budget)
    level = "over" if exceeded else "warn" if percent is not None and percent >= 80 else "ok"
    label = "no budget" if percent is None else f"{percent}%"
    over = budgets.overrun(spend, budget)
    balance = f"{over} over" if over else f"{budgets.remaining(spend, budget)} left"
    return format_html(
        '<span class="ads-spend">{}</span> of {}<br>'
        '<span class="ads-usage ads-usage-{}" title="{} of the budget">'
        '<span class="ads-usage-bar" style="width: {}%"></span></span> '
        "<small>{} · {}</small>",
        spend,
        budget,
        level,
        label,
        100 if percent is None else min(percent, 100),
        label,
        balance,
    )


def schedule_of(campaign: Campaign) -> DaypartingSchedule | None:
    try:
        return campaign.dayparting_schedule
    except DaypartingSchedule.DoesNotExist:
        return None


@admin.display(description="brand", ordering="campaign__brand__name")
def campaign_brand(row: SpendLog | CampaignStatusChange) -> str:
    return row.campaign.brand.name


class StatusReasonsColumn:
    @admin.display(description="reasons")
    def reasons_text(self, change: CampaignStatusChange) -> str:
        return ", ".join(change.reasons)


def pace_badge(value: Decimal | None, *, why_none: str) -> SafeString:
    """A pacing as a percent in its colour band (`ads.rules.pacing.band`): 115% over."""
    level = pacing.band(value)
    if value is None or level is None:
        return format_html('<span class="ads-pace" title="{}">–</span>', why_none)
    percent = (value * 100).quantize(Decimal(1))
    css = level.replace(" ", "-")
    return format_html(
        '<span class="ads-pace ads-pace-{}" title="{} of the pace that spends the budget '
        'exactly">{}% {}</span>',
        css,
        value,
        percent,
        level,
    )


def local_instant(when: datetime | None, *, zone: str, none: str = "–") -> str:
    """An instant as read where it happens: '2026-03-19 00:00 EDT (America/New_York)'."""
    if when is None:
        return none
    return f"{when:%Y-%m-%d %H:%M} {when.tzname()} ({zone})"
