"""What a campaign's clock says: why it is blocked, when it resumes, how far through its
scheduled time today is. Read set-based for the campaign list: a fixed number of queries for
the page, whatever the number of campaigns on it."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet

from ads.models import Campaign
from ads.periods import local_midnight, local_period, zone
from ads.rules import reasons
from ads.rules.pacing import Elapsed, scheduled_share
from ads.rules.resumes import resumes_at
from ads.selectors.campaigns import campaign_facts


@dataclass(frozen=True)
class Outlook:
    reasons: list[str]
    # When it serves again by the clock alone, in the brand's zone; None: it serves, or it
    # waits for a person.
    resumes_at: datetime | None
    # Of the brand's current local day: the scheduled time (inside its windows) gone by.
    scheduled: Elapsed
    timezone: str


def campaign_outlooks(campaigns: QuerySet[Campaign], *, now: datetime) -> dict[int, Outlook]:
    """Each campaign's outlook at `now`: two queries (the facts, the brands' zones and days)."""
    brands: dict[int, tuple[str, date]] = {
        pk: (name, day)
        for pk, name, day in campaigns.order_by().values_list(
            "pk", "brand__timezone", "brand__spend_day"
        )
    }
    outlooks = {}
    for facts in campaign_facts(campaigns):
        if facts.pk not in brands:  # made between the two reads: on the next page
            continue
        name, day = brands[facts.pk]
        tz = zone(name)
        stored = local_period(local_midnight(day, tz), tz)
        today = local_period(now, tz)
        outlooks[facts.pk] = Outlook(
            reasons=reasons.blocking_reasons(facts, now=now),
            resumes_at=resumes_at(facts, now=now, stored=stored, timezone=name),
            scheduled=scheduled_share(
                facts.windows, now=now, start=today.day_start, end=today.day_end
            ),
            timezone=name,
        )
    return outlooks
