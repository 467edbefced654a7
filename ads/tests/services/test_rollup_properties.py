"""Property-based tests of the roll-up: any sequence of spends, batches, credits, charges,
platform reports, clock moves and resets ends with totals equal to sums, never below 0.

The property is checked against an independent model written here: the totals by summing the
spends a test made by their local day and month. The window rule's properties are in
ads/tests/rules/test_window_properties.py.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from ads.models import Brand, Campaign, SpendLog
from ads.money import AmountInput
from ads.services import BudgetService, CampaignService, SpendEntry

ZONES = ("Europe/Paris", "America/New_York")
START = datetime(2026, 3, 28, 20, 0, tzinfo=UTC)  # the weekend Paris moves to summer time


@dataclass(frozen=True)
class Spend:
    brand: int
    cents: int
    backdate_minutes: int
    form: str


@dataclass(frozen=True)
class Step:
    kind: str  # "spend", "batch", "adjust", "report", "advance" or "reset"
    spends: tuple[Spend, ...] = ()
    minutes: int = 0


spends = st.builds(
    Spend,
    brand=st.integers(0, len(ZONES) - 1),
    cents=st.integers(1, 10_000_000),
    backdate_minutes=st.one_of(st.just(0), st.integers(0, 60 * 24 * 40)),
    form=st.sampled_from(["decimal", "string", "int"]),
)
steps = st.one_of(
    st.builds(Step, kind=st.just("spend"), spends=st.tuples(spends)),
    st.builds(
        Step, kind=st.just("batch"), spends=st.lists(spends, min_size=1, max_size=4).map(tuple)
    ),
    # A credit (cents < 0) or a charge; a report of a day's total (cents >= 0), `minutes` back.
    st.builds(
        Step,
        kind=st.just("adjust"),
        spends=st.tuples(
            spends.map(lambda s: Spend(s.brand, -s.cents, s.backdate_minutes, "string"))
        ),
    ),
    st.builds(Step, kind=st.just("adjust"), spends=st.tuples(spends)),
    st.builds(
        Step,
        kind=st.just("report"),
        spends=st.tuples(spends.map(lambda s: Spend(s.brand, s.cents - 1, 0, "string"))),
        minutes=st.integers(0, 60 * 24 * 30),
    ),
    st.builds(Step, kind=st.just("advance"), minutes=st.integers(1, 60 * 30)),
    st.builds(Step, kind=st.just("reset")),
)


def amount_input(spend: Spend) -> AmountInput:
    if spend.form == "int" and spend.cents % 100 == 0:
        return spend.cents // 100
    amount = Decimal(spend.cents) / 100
    return f"{amount:.2f}" if spend.form == "string" else amount


# The model's ledger: (brand index, amount, when, kind).
Entry = tuple[int, Decimal, datetime, str]
REPORTED = ("spend", "report")


def day_sum(
    ledger: list[Entry], brand: int, day: date, tz: ZoneInfo, kinds: tuple[str, ...] | None = None
) -> Decimal:
    """The model's sum of one brand's (one campaign's) entries on a local day."""
    return sum(
        (
            a
            for b, a, at, kind in ledger
            if b == brand and at.astimezone(tz).date() == day and (kinds is None or kind in kinds)
        ),
        Decimal(0),
    )


class RollUpProperties(HypothesisTestCase):
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(steps, min_size=1, max_size=12))
    def test_any_sequence_of_valid_spends_sums_to_the_totals(self, plan: list[Step]) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            brands = [
                Brand.objects.create(
                    name=tz, daily_budget=Decimal(500), monthly_budget=Decimal(5000), timezone=tz
                )
                for tz in ZONES
            ]
            # Caps a few spends reach: the pauses they make at once are checked at the end.
            campaigns = [
                Campaign.objects.create(
                    brand=brand, name="Search", daily_cap=Decimal(300), total_cap=Decimal(3000)
                )
                for brand in brands
            ]
            # The model: every spend made, and when each brand was last rolled to "today".
            ledger: list[Entry] = []
            touched = [START for _ in brands]
            now = START
            for step in plan:
                if step.kind == "advance":
                    now += timedelta(minutes=step.minutes)
                    traveller.move_to(now)
                elif step.kind == "reset":
                    BudgetService.reset_daily_monthly_spends()
                    touched = [now for _ in brands]
                elif step.kind == "adjust":
                    s = step.spends[0]
                    when = now - timedelta(minutes=s.backdate_minutes)
                    tz = ZoneInfo(ZONES[s.brand])
                    amount = Decimal(s.cents) / 100
                    fits = day_sum(ledger, s.brand, when.astimezone(tz).date(), tz) + amount >= 0
                    try:
                        BudgetService.record_adjustment(
                            campaigns[s.brand], amount_input(s), "why", timestamp=when
                        )
                    except ValidationError:
                        self.assertFalse(fits)
                    else:
                        self.assertTrue(fits)
                        kind = "credit" if amount < 0 else "charge"
                        ledger.append((s.brand, amount, when, kind))
                        touched[s.brand] = now
                elif step.kind == "report":
                    s = step.spends[0]
                    tz = ZoneInfo(ZONES[s.brand])
                    day = (now - timedelta(minutes=step.minutes)).astimezone(tz).date()
                    total = Decimal(s.cents) / 100
                    change = total - day_sum(ledger, s.brand, day, tz, REPORTED)
                    fits = day_sum(ledger, s.brand, day, tz) + change >= 0
                    try:
                        report = BudgetService.record_reported_spend(
                            campaigns[s.brand], day, amount_input(s), source="google_ads"
                        )
                    except ValidationError:
                        self.assertFalse(fits)
                        continue
                    self.assertTrue(fits)
                    if change == 0:
                        self.assertIsNone(report)
                        continue
                    assert report is not None
                    self.assertEqual(report.amount, change)
                    self.assertEqual(report.timestamp.astimezone(tz).date(), day)
                    ledger.append((s.brand, change, report.timestamp, "report"))
                    touched[s.brand] = now
                else:
                    entries = [
                        SpendEntry(
                            campaigns[s.brand],
                            amount_input(s),
                            timestamp=now - timedelta(minutes=s.backdate_minutes),
                        )
                        for s in step.spends
                    ]
                    if step.kind == "spend":
                        entry = entries[0]
                        BudgetService.record_spend(
                            campaigns[step.spends[0].brand],
                            entry.amount,
                            timestamp=entry.timestamp,
                        )
                    else:
                        BudgetService.record_spends(entries)
                    for s, entry in zip(step.spends, entries, strict=True):
                        assert entry.timestamp is not None
                        ledger.append((s.brand, Decimal(s.cents) / 100, entry.timestamp, "spend"))
                        touched[s.brand] = now
                for stored in Brand.objects.all():
                    lowest = min(stored.current_daily_spend, stored.current_monthly_spend)
                    self.assertGreaterEqual(lowest, 0)

        for index, brand in enumerate(brands):
            brand.refresh_from_db()
            tz = ZoneInfo(brand.timezone)
            day = touched[index].astimezone(tz).date()
            local = [(a, at.astimezone(tz).date()) for b, a, at, _ in ledger if b == index]
            self.assertEqual(brand.spend_day, day)
            self.assertEqual(
                brand.current_daily_spend, sum((a for a, d in local if d == day), Decimal(0))
            )
            self.assertEqual(
                brand.current_monthly_spend,
                sum((a for a, d in local if d.replace(day=1) == day.replace(day=1)), Decimal(0)),
            )
        self.assertEqual(SpendLog.objects.count(), len(ledger))
        self.assert_campaign_totals(brands, campaigns, ledger)

    def assert_campaign_totals(
        self, brands: list[Brand], campaigns: list[Campaign], ledger: list[Entry]
    ) -> None:
        """Each campaign's own totals are the ledger's (today's is its brand's: the brand's only
        campaign), and its state is the verdict of its caps and budgets now."""
        for index, campaign in enumerate(campaigns):
            campaign.refresh_from_db()
            self.assertEqual(campaign.current_daily_spend, brands[index].current_daily_spend)
            self.assertEqual(
                campaign.total_spend, sum((a for b, a, _, _ in ledger if b == index), Decimal(0))
            )
            _, reasons = CampaignService.should_campaign_be_active(campaign)
            self.assertEqual(campaign.is_active, not reasons)
        self.assertEqual(BudgetService.find_campaign_drift(), [])
