"""The budget rule has one Python form (`ads.rules.budgets`, read by `Brand`'s properties) and one
SQL form (`ads.selectors.budgets.exceeded`, read by the sweeps, the campaigns' facts and the
admin's filters); on real rows at every boundary the two name the same brands and campaigns."""

from decimal import Decimal

from django.test import TestCase
from django.utils import timezone

from ads.models import Brand, Campaign
from ads.money import CENT, ZERO
from ads.rules import budgets
from ads.rules.reasons import DAILY_EXCEEDED, MONTHLY_EXCEEDED
from ads.selectors import DAILY, MONTHLY, campaign_facts, exceeded, reason_counts
from ads.tests.builders import make_campaign
from ads.validators import largest_total


def boundaries() -> list[tuple[Decimal, Decimal, bool]]:
    """(spend, budget, exceeded) around 0, around a budget, and at the largest total the
    database keeps exactly (20 digits on PostgreSQL), where a float would see no cent."""
    big = largest_total()
    return [
        (ZERO, ZERO, True),
        (ZERO, CENT, False),
        (Decimal("99.99"), Decimal("100.00"), False),
        (Decimal("100.00"), Decimal("100.00"), True),
        (Decimal("100.01"), Decimal("100.00"), True),
        (big - CENT, big, False),
        (big, big, True),
        (big, big - CENT, True),
    ]


def add_boundary_brands() -> None:
    """A brand (with one campaign) per boundary; its monthly pair is the boundaries read
    backwards, so the daily and monthly verdicts vary apart."""
    cases = boundaries()
    for number, ((daily_spend, daily, _), (monthly_spend, monthly, _)) in enumerate(
        zip(cases, reversed(cases), strict=True)
    ):
        brand = Brand.objects.create(
            name=f"Brand {number}",
            timezone="UTC",
            daily_budget=daily,
            monthly_budget=monthly,
            current_daily_spend=daily_spend,
            current_monthly_spend=monthly_spend,
        )
        make_campaign(brand, name=f"Campaign {number}")


class PythonFormTests(TestCase):
    def test_spend_at_or_over_the_budget_exceeds_it(self) -> None:
        for spend, budget, verdict in boundaries():
            with self.subTest(spend=spend, budget=budget):
                self.assertIs(budgets.is_exceeded(spend, budget), verdict)

    def test_what_is_left_and_the_overrun_never_go_below_zero(self) -> None:
        for spend, budget, _ in boundaries():
            with self.subTest(spend=spend, budget=budget):
                left, over = budgets.remaining(spend, budget), budgets.overrun(spend, budget)
                self.assertEqual(left, max(budget - spend, ZERO))
                self.assertEqual(over, max(spend - budget, ZERO))
                # At most one of them is non-zero, and together they span the gap exactly.
                self.assertEqual(left - over, budget - spend)


class FormsAgreeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        add_boundary_brands()

    def exceeded_in_python(self) -> dict[str, set[str]]:
        brands = list(Brand.objects.all())
        return {
            "daily": {brand.name for brand in brands if brand.is_daily_budget_exceeded},
            "monthly": {brand.name for brand in brands if brand.is_monthly_budget_exceeded},
        }

    def test_the_rows_hold_both_verdicts_for_each_budget(self) -> None:
        python = self.exceeded_in_python()
        for name in ("daily", "monthly"):
            self.assertTrue(0 < len(python[name]) < Brand.objects.count(), name)

    def test_the_sql_form_selects_the_brands_the_python_form_calls_exceeded(self) -> None:
        python = self.exceeded_in_python()
        for name, columns in (("daily", DAILY), ("monthly", MONTHLY)):
            with self.subTest(name):
                sql = Brand.objects.filter(exceeded(columns)).values_list("name", flat=True)
                self.assertEqual(set(sql), python[name])

    def test_the_sql_form_through_a_campaign_selects_the_same_brands(self) -> None:
        python = self.exceeded_in_python()
        for name, columns in (("daily", DAILY), ("monthly", MONTHLY)):
            with self.subTest(name):
                campaigns = Campaign.objects.filter(exceeded(columns, prefix="brand__"))
                self.assertEqual(set(campaigns.values_list("brand__name", flat=True)), python[name])

    def test_the_campaigns_facts_carry_the_python_verdicts(self) -> None:
        campaigns = Campaign.objects.select_related("brand")
        brands = {campaign.pk: campaign.brand for campaign in campaigns}
        facts = list(campaign_facts(Campaign.objects.all()))
        self.assertEqual(len(facts), len(brands))
        for fact in facts:
            brand = brands[fact.pk]
            with self.subTest(brand.name):
                self.assertIs(fact.daily_exceeded, brand.is_daily_budget_exceeded)
                self.assertIs(fact.monthly_exceeded, brand.is_monthly_budget_exceeded)

    def test_the_reason_filter_counts_the_python_verdicts(self) -> None:
        """The blocking-reason filter's counts (`reason_counts`) judge budgets in SQL too."""
        python = self.exceeded_in_python()
        counts = reason_counts(
            Campaign.objects.all(), [DAILY_EXCEEDED, MONTHLY_EXCEEDED], now=timezone.now()
        )
        self.assertEqual(
            counts, {DAILY_EXCEEDED: len(python["daily"]), MONTHLY_EXCEEDED: len(python["monthly"])}
        )
