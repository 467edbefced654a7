"""Bad input in the admin's forms gets an error on its field and changes nothing.

The brand, campaign (its schedule inline) and spend forms, and the change lists' search; the
other entry points are in `test_bad_input` and `test_bad_input_commands`.
"""

from django.contrib.auth.models import User
from django.urls import reverse

from ads.tests.reliability.bad_input import BadInputCase, database_state


class AdminFormBadInputTests(BadInputCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(
            User.objects.create_superuser("admin", "admin@example.com", "not-a-real-password")
        )

    def assert_form_rejected(self, url: str, data: dict[str, str], field: str) -> None:
        """The form comes back (200, not a redirect) with an error on `field`; nothing changed."""
        before = database_state()
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        errors = response.context["adminform"].form.errors
        self.assertIn(field, errors, errors)
        self.assertTrue(all(str(message).strip() for message in errors[field]))
        self.assertEqual(database_state(), before)

    def brand_form(self, **override: str) -> dict[str, str]:
        return {
            "name": "Globex",
            "daily_budget": "100.00",
            "monthly_budget": "1000.00",
            "timezone": "UTC",
            **override,
        }

    def test_brand_forms_reject_a_negative_budget_and_an_unknown_time_zone(self) -> None:
        add = reverse("admin:ads_brand_add")
        change = reverse("admin:ads_brand_change", args=[self.brand.pk])
        for url in (add, change):
            for field, value in [
                ("daily_budget", "-1.00"),
                ("monthly_budget", "-0.01"),
                ("daily_budget", "ten"),
                ("timezone", "Mars/Olympus_Mons"),
                ("timezone", ""),
            ]:
                with self.subTest(url=url, field=field, value=value):
                    self.assert_form_rejected(url, self.brand_form(**{field: value}), field)

    def test_schedule_inline_rejects_a_window_that_starts_when_it_ends(self) -> None:
        url = reverse("admin:ads_campaign_change", args=[self.schedule_campaign.pk])
        # Every inline formset posted empty, then the schedule's with one window.
        data = {
            f"{inline.formset.prefix}-{key}": "0"
            for inline in self.client.get(url).context["inline_admin_formsets"]
            for key in ("TOTAL_FORMS", "INITIAL_FORMS")
        }
        data |= {
            "brand": str(self.brand.pk),
            "name": self.schedule_campaign.name,
            "is_enabled": "on",
            "dayparting_schedule-TOTAL_FORMS": "1",
            "dayparting_schedule-0-start_time": "22:00",
            "dayparting_schedule-0-end_time": "22:00",
            "dayparting_schedule-0-days_of_week": "4",
            "dayparting_schedule-0-timezone": "",
        }
        before = database_state()
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        (schedule,) = [
            inline.formset
            for inline in response.context["inline_admin_formsets"]
            if inline.formset.prefix == "dayparting_schedule"
        ]
        self.assertIn("end_time", schedule.errors[0], schedule.errors)
        self.assertIn("must not start and end at the same time", str(schedule.errors[0]))
        self.assertEqual(database_state(), before)

    def spend_form(self, **override: str) -> dict[str, str]:
        return {
            "campaign": str(self.campaign.pk),
            "amount": "1.00",
            "timestamp_0": "2026-03-18",
            "timestamp_1": "11:00:00",
            "description": "typo",
            "external_id": "",
            **override,
        }

    def test_spend_form_rejects_a_bad_amount(self) -> None:
        for amount in ("-5.00", "0", "1.234", "twelve", "", "1000000000000"):
            with self.subTest(amount=amount):
                self.assert_form_rejected(
                    reverse("admin:ads_spendlog_add"), self.spend_form(amount=amount), "amount"
                )

    def test_spend_form_takes_plain_decimal_notation_only(self) -> None:
        for amount, message in [
            ("1e3", "is not a plain decimal amount"),
            ("1E+2", "is not a plain decimal amount"),
            ("1_000", "is not a plain decimal amount"),
            ("١٢", "is not a plain decimal amount"),
            ("+5", "is not a plain decimal amount"),
            ("NaN", "is not a finite number"),
            ("Infinity", "is not a finite number"),
            ("1 000", "is not a number"),
            ("1,000", "is not a number"),
        ]:
            with self.subTest(amount=amount):
                self.assert_form_rejected(
                    reverse("admin:ads_spendlog_add"), self.spend_form(amount=amount), "amount"
                )
                response = self.client.post(
                    reverse("admin:ads_spendlog_add"), self.spend_form(amount=amount)
                )
                self.assertContains(response, message)

    def test_spend_form_rejects_a_time_before_2000_or_text_the_database_cannot_store(
        self,
    ) -> None:
        cases = [
            ({"timestamp_0": "0001-01-01", "timestamp_1": "00:00:00"}, "timestamp"),
            ({"timestamp_0": "1999-12-31", "timestamp_1": "23:59:59"}, "timestamp"),
            ({"timestamp_0": "2026-03-18", "timestamp_1": "12:00:01"}, "timestamp"),
            ({"description": "click\x00"}, "description"),
            ({"external_id": "e\x00"}, "external_id"),
        ]
        for override, field in cases:
            with self.subTest(override=override):
                self.assert_form_rejected(
                    reverse("admin:ads_spendlog_add"), self.spend_form(**override), field
                )

    def test_brand_and_campaign_forms_reject_a_nul_in_a_name(self) -> None:
        self.assert_form_rejected(
            reverse("admin:ads_brand_add"), self.brand_form(name="Glo\x00bex"), "name"
        )

    def test_admin_searches_with_a_nul_answer_without_a_server_error(self) -> None:
        for model in ("brand", "campaign", "spendlog", "campaignstatuschange"):
            with self.subTest(model=model):
                response = self.client.get(reverse(f"admin:ads_{model}_changelist"), {"q": "a\x00"})
                self.assertLess(response.status_code, 500)
