"""BudgetService.record_spends: many spends, one transaction, one roll-up per brand."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from ads.models import Brand, Campaign, CampaignStatusChange, SpendLog
from ads.services import BudgetService, SpendEntry

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


def make_brand(name: str, daily: str = "1000.00", monthly: str = "10000.00", **kw: str) -> Brand:
    return Brand.objects.create(
        name=name, daily_budget=Decimal(daily), monthly_budget=Decimal(monthly), **kw
    )


def make_campaign(brand: Brand, name: str = "Search") -> Campaign:
    return Campaign.objects.create(brand=brand, name=name)


def totals(brand: Brand) -> tuple[Decimal, Decimal]:
    brand.refresh_from_db()
    return brand.current_daily_spend, brand.current_monthly_spend


@time_machine.travel(NOW, tick=False)
class RecordSpendsTests(TestCase):
    def setUp(self) -> None:
        self.acme = make_brand("Acme", timezone="Europe/Paris")
        self.globex = make_brand("Globex", timezone="America/New_York")
        self.search = make_campaign(self.acme, "Search")
        self.social = make_campaign(self.acme, "Social")
        self.video = make_campaign(self.globex, "Video")

    def test_rows_come_back_in_input_order_and_totals_equal_the_ledger(self) -> None:
        rows = BudgetService.record_spends(
            [
                SpendEntry(self.search, Decimal("10.00"), "click"),
                SpendEntry(self.video, "2.50", external_id="v-1"),
                SpendEntry(self.social.pk, 3),
                SpendEntry(self.search, "0.01", timestamp=NOW - timedelta(minutes=5)),
            ]
        )

        self.assertEqual(
            [(row.campaign_id, row.amount) for row in rows],
            [
                (self.search.pk, Decimal("10.00")),
                (self.video.pk, Decimal("2.50")),
                (self.social.pk, Decimal("3.00")),
                (self.search.pk, Decimal("0.01")),
            ],
        )
        self.assertTrue(all(row.pk for row in rows))
        self.assertEqual(rows[0].description, "click")
        self.assertEqual(rows[3].timestamp, NOW - timedelta(minutes=5))
        self.assertEqual(SpendLog.objects.count(), 4)
        self.assertEqual(totals(self.acme), (Decimal("13.01"), Decimal("13.01")))
        self.assertEqual(totals(self.globex), (Decimal("2.50"), Decimal("2.50")))
        self.assertEqual(BudgetService.find_drift(), [])

    def test_dicts_and_tuples_are_entries_too(self) -> None:
        rows = BudgetService.record_spends(
            [
                {"campaign": self.search, "amount": "4.00", "external_id": "d-1"},
                (self.video, "1.00", "tuple spend"),
            ]
        )

        self.assertEqual([row.amount for row in rows], [Decimal("4.00"), Decimal("1.00")])
        self.assertEqual(rows[0].external_id, "d-1")
        self.assertEqual(rows[1].description, "tuple spend")

    def test_an_empty_batch_does_nothing(self) -> None:
        with self.assertNumQueries(0):
            self.assertEqual(BudgetService.record_spends([]), [])

    def test_backdated_spend_counts_toward_the_day_and_month_it_happened_in(self) -> None:
        BudgetService.record_spends(
            [
                SpendEntry(self.search, "5.00"),
                SpendEntry(self.search, "7.00", timestamp=NOW - timedelta(days=1)),
                SpendEntry(self.search, "11.00", timestamp=NOW - timedelta(days=30)),
            ]
        )

        self.assertEqual(totals(self.acme), (Decimal("5.00"), Decimal("12.00")))
        self.assertEqual(BudgetService.find_drift(), [])

    def test_the_same_totals_as_one_record_spend_per_entry(self) -> None:
        other = make_brand("Initech", timezone="Europe/Paris")
        twin = make_campaign(other)
        amounts = ["0.01", "19.99", "250", "3.30", "0.70"]
        moments = [NOW - timedelta(hours=h) for h in (0, 5, 13, 30, 24 * 20)]

        for amount, moment in zip(amounts, moments, strict=True):
            BudgetService.record_spend(twin, amount, timestamp=moment)
        BudgetService.record_spends(
            SpendEntry(self.search, amount, timestamp=moment)
            for amount, moment in zip(amounts, moments, strict=True)
        )

        self.assertEqual(totals(self.acme), totals(other))


@time_machine.travel(NOW, tick=False)
class RecordSpendsValidationTests(TestCase):
    def setUp(self) -> None:
        self.brand = make_brand("Acme")
        self.campaign = make_campaign(self.brand)

    def assert_rejected(self, bad: object, message: str, index: int = 2) -> None:
        entries: list[object] = [
            SpendEntry(self.campaign, "1.00", external_id="ok-1"),
            SpendEntry(self.campaign, "2.00"),
        ]
        entries.insert(index, bad)
        with self.assertRaises(ValidationError) as caught:
            BudgetService.record_spends(entries)  # type: ignore[arg-type]

        self.assertEqual(caught.exception.messages, [message])
        self.assertEqual(caught.exception.code, "invalid_entry")
        self.assertEqual(
            caught.exception.params, {"index": index, "detail": message.split(": ", 1)[1]}
        )
        self.assertFalse(SpendLog.objects.exists())
        self.assertEqual(totals(self.brand), (Decimal("0.00"), Decimal("0.00")))

    def test_a_float_amount_rejects_the_whole_batch(self) -> None:
        self.assert_rejected(
            SpendEntry(self.campaign, 1.5),  # type: ignore[arg-type]
            "entry 2: amount: 1.5 is a float; pass a Decimal or a string such as Decimal('12.50').",
        )

    def test_too_many_decimal_places_and_non_positive_amounts(self) -> None:
        self.assert_rejected(
            SpendEntry(self.campaign, "1.005"),
            "entry 2: amount: 1.005 has more than 2 decimal places.",
        )
        self.assert_rejected(
            SpendEntry(self.campaign, "-3"), "entry 0: amount: -3 must be greater than 0.", 0
        )

    def test_naive_and_future_timestamps(self) -> None:
        self.assert_rejected(
            SpendEntry(self.campaign, "1", timestamp=datetime(2026, 3, 18, 9)),
            "entry 2: timestamp: The timestamp has no time zone; give an aware datetime.",
        )
        future = NOW + timedelta(minutes=1)
        self.assert_rejected(
            SpendEntry(self.campaign, "1", timestamp=future),
            f"entry 1: timestamp: {future.isoformat()} is in the future.",
            1,
        )

    def test_text_fields_are_checked(self) -> None:
        self.assert_rejected(
            SpendEntry(self.campaign, "1", description="x" * 501),
            "entry 2: description: Longer than 500 characters.",
        )
        self.assert_rejected(
            SpendEntry(self.campaign, "1", external_id=7),  # type: ignore[arg-type]
            "entry 2: external_id: 7 is not a string.",
        )

    def test_an_unknown_campaign_is_named_after_the_lock_and_nothing_is_written(self) -> None:
        self.assert_rejected(
            SpendEntry(self.campaign.pk + 1000, "1"),
            f"entry 2: campaign: Campaign {self.campaign.pk + 1000} does not exist.",
        )
        self.assert_rejected(
            SpendEntry(Campaign(name="unsaved"), "1"),
            "entry 2: campaign: <Campaign: unsaved> is not a saved campaign.",
        )

    def test_something_that_is_not_an_entry(self) -> None:
        self.assert_rejected("12.50", "entry 2: '12.50' is not a SpendEntry, a dict or a tuple.")
        self.assert_rejected(
            {"campaign": self.campaign, "cost": "1"},
            "entry 2: Not a spend entry: SpendEntry.__init__() got an unexpected keyword "
            "argument 'cost'.",
        )

    def test_check_spends_raises_the_same_error_and_touches_nothing(self) -> None:
        with self.assertNumQueries(0), self.assertRaises(ValidationError) as caught:
            BudgetService.check_spends([SpendEntry(self.campaign, "1"), (self.campaign, "0")])

        self.assertEqual(caught.exception.messages, ["entry 1: amount: 0 must be greater than 0."])


@time_machine.travel(NOW, tick=False)
class RecordSpendsIdempotencyTests(TestCase):
    def setUp(self) -> None:
        self.brand = make_brand("Acme")
        self.search = make_campaign(self.brand, "Search")
        self.social = make_campaign(self.brand, "Social")

    def test_a_known_external_id_returns_the_row_on_record(self) -> None:
        first = BudgetService.record_spend(self.search, "5.00", external_id="evt-1")

        batch = BudgetService.record_spend_batch(
            [
                SpendEntry(self.search, "5.00", external_id="evt-1"),
                SpendEntry(self.search, "1.00", external_id="evt-2"),
                # The same platform id on another campaign is another event.
                SpendEntry(self.social, "2.00", external_id="evt-1"),
            ]
        )

        self.assertEqual(batch.spends[0].pk, first.pk)
        self.assertEqual(
            [row.pk for row in batch.created], [batch.spends[1].pk, batch.spends[2].pk]
        )
        self.assertEqual(batch.brand_ids, [self.brand.pk])
        self.assertEqual(SpendLog.objects.count(), 3)
        self.assertEqual(totals(self.brand), (Decimal("8.00"), Decimal("8.00")))

    def test_duplicates_inside_one_batch_count_once_and_a_rerun_counts_nothing(self) -> None:
        entries = [
            SpendEntry(self.search, "5.00", external_id=" evt-9 "),
            SpendEntry(self.search, "5.00", external_id="evt-9"),
            SpendEntry(self.social, "1.00"),
        ]

        rows = BudgetService.record_spends(entries)
        again = BudgetService.record_spend_batch(entries[:2])

        self.assertIs(rows[0], rows[1])
        self.assertEqual(rows[0].external_id, "evt-9")
        self.assertEqual(again.created, [])
        self.assertEqual([row.pk for row in again.spends], [rows[0].pk, rows[0].pk])
        self.assertEqual(again.campaigns.paused, [])
        self.assertEqual(SpendLog.objects.count(), 2)
        self.assertEqual(totals(self.brand), (Decimal("6.00"), Decimal("6.00")))


@time_machine.travel(NOW, tick=False)
class RecordSpendsBudgetTests(TestCase):
    def setUp(self) -> None:
        self.acme = make_brand("Acme", daily="100.00", monthly="1000.00")
        self.globex = make_brand("Globex", daily="100.00", monthly="1000.00")
        self.search = make_campaign(self.acme, "Search")
        self.social = make_campaign(self.acme, "Social")
        self.video = make_campaign(self.globex, "Video")

    def active(self) -> dict[str, bool]:
        return dict(Campaign.objects.values_list("name", "is_active"))

    def test_a_batch_that_exceeds_the_budget_pauses_the_brand_at_once(self) -> None:
        batch = BudgetService.record_spend_batch(
            [
                SpendEntry(self.search, "60.00"),
                SpendEntry(self.video, "99.99"),
                SpendEntry(self.social, "40.00"),
            ]
        )

        self.assertEqual(self.active(), {"Search": False, "Social": False, "Video": True})
        self.assertEqual(sorted(batch.campaigns.paused), [self.search.pk, self.social.pk])
        changes = CampaignStatusChange.objects.filter(is_active=False)
        self.assertEqual(
            sorted(changes.values_list("campaign_id", "cause")),
            [(self.search.pk, "spend"), (self.social.pk, "spend")],
        )
        self.assertEqual(changes.first().reasons, ["Daily budget exceeded"])  # type: ignore[union-attr]

    def test_spend_on_a_paused_campaign_is_still_counted(self) -> None:
        BudgetService.record_spends([SpendEntry(self.search, "100.00")])
        BudgetService.record_spends([SpendEntry(self.social, "5.00")])

        self.assertEqual(totals(self.acme), (Decimal("105.00"), Decimal("105.00")))
        self.assertEqual(self.active()["Social"], False)

    def test_a_batch_after_local_midnight_rolls_the_brand_into_the_new_day(self) -> None:
        BudgetService.record_spends([SpendEntry(self.search, "100.00")])
        self.assertEqual(self.active()["Search"], False)

        with time_machine.travel(NOW + timedelta(days=1), tick=False):
            batch = BudgetService.record_spend_batch(
                [
                    SpendEntry(self.social, "30.00"),
                    # Backdated into yesterday: this month, not today.
                    SpendEntry(self.social, "1.00", timestamp=NOW),
                ]
            )
            self.acme.refresh_from_db()
            self.assertEqual(self.acme.spend_day, (NOW + timedelta(days=1)).date())

        self.assertEqual(totals(self.acme), (Decimal("30.00"), Decimal("131.00")))
        self.assertEqual(self.active(), {"Search": True, "Social": True, "Video": True})
        self.assertEqual(sorted(batch.campaigns.activated), [self.search.pk, self.social.pk])
        self.assertEqual(BudgetService.find_drift(), [])


@pytest.mark.postgresql(
    reason="SQLite's limit of 999 parameters splits a batch of 200 into several statements"
)
@time_machine.travel(NOW, tick=False)
class RecordSpendsQueryCountTests(TestCase):
    def setUp(self) -> None:
        brands = [make_brand(f"Brand {n}") for n in range(3)]
        self.campaigns = [make_campaign(brand, f"C{n}") for brand in brands for n in range(4)]

    def queries_for(self, size: int, over_budget: bool = False) -> int:
        amount = "100.00" if over_budget else "0.01"
        entries = [
            SpendEntry(self.campaigns[n % len(self.campaigns)], amount, external_id=f"{size}-{n}")
            for n in range(size)
        ]
        with CaptureQueriesContext(connection) as queries:
            BudgetService.record_spends(entries)
        return len(queries)

    def test_the_number_of_queries_does_not_grow_with_the_batch(self) -> None:
        small = self.queries_for(10)
        large = self.queries_for(200)

        self.assertEqual(small, large)
        # Savepoint, lock (with the campaigns), insert (which skips known ids), roll-up (the
        # brands' and the campaigns' own totals in one statement), release.
        self.assertEqual(small, 5)

    def test_nor_when_every_brand_goes_over_budget(self) -> None:
        Brand.objects.update(daily_budget=Decimal("50.00"))
        small = self.queries_for(12, over_budget=True)
        Campaign.objects.update(is_active=True)
        large = self.queries_for(200, over_budget=True)

        self.assertEqual(small, large)
