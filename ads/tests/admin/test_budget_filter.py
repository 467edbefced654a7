"""The brand list's budget filter lists exactly the brands the budget rule's Python form names."""

from ads.models import Brand
from ads.tests.admin.test_queries import SuperuserTestCase, list_url
from ads.tests.rules.test_budgets import add_boundary_brands


class BudgetFilterTests(SuperuserTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        add_boundary_brands()

    def listed(self, choice: str) -> set[str]:
        response = self.client.get(list_url(f"brand?budget={choice}"))
        self.assertEqual(response.status_code, 200)
        return {brand.name for brand in response.context["cl"].queryset}

    def test_each_choice_lists_the_brands_the_rule_names(self) -> None:
        brands = list(Brand.objects.all())
        daily = {brand.name for brand in brands if brand.is_daily_budget_exceeded}
        monthly = {brand.name for brand in brands if brand.is_monthly_budget_exceeded}
        everyone = {brand.name for brand in brands}
        expected = {
            "daily": daily,
            "monthly": monthly,
            "exceeded": daily | monthly,
            "within": everyone - daily - monthly,
        }
        self.assertTrue(expected["within"] and daily - monthly and monthly - daily)
        for choice, names in expected.items():
            with self.subTest(choice):
                self.assertEqual(self.listed(choice), names)
