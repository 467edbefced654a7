"""`batch_facts`, a sweep's read of a batch under its brands' locks: the facts
`campaign_facts` gives, from the statement compiled once, and only for the locked brands."""

from datetime import date, time
from decimal import Decimal

import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from ads.models import Campaign, DaypartingWindow
from ads.selectors import campaign_facts
from ads.selectors.campaigns import batch_facts
from ads.services import BudgetService
from ads.tests.builders import make_brand, make_campaign, make_schedule, utc


@time_machine.travel(utc("2026-03-18T16:00"), tick=False)
class BatchFactsTests(TestCase):
    maxDiff = None

    def setUp(self) -> None:
        over = make_brand("Over", daily="10.00", timezone="America/New_York")
        BudgetService.record_spend(make_campaign(over, "Spent"), Decimal("10.00"))
        windowed = make_campaign(over, "Windowed")
        schedule = make_schedule(windowed, time(9), time(12), days=[0, 2], timezone="Asia/Tokyo")
        DaypartingWindow.objects.create(
            schedule=schedule, start_time=time(14), end_time=time(17), days_of_week=[2]
        )
        other = make_brand("Other", timezone="Europe/Paris")
        flight = make_campaign(other, "Flight")
        flight.start_date, flight.end_date = date(2026, 3, 20), date(2026, 3, 30)
        flight.daily_cap = Decimal("0.00")
        flight.save()
        make_campaign(other, "Off", enabled=False)
        self.brands = [over.pk, other.pk]

    def test_the_facts_of_the_batch_as_campaign_facts_reads_them(self) -> None:
        ids = sorted(Campaign.objects.values_list("pk", flat=True))
        expected = list(campaign_facts(Campaign.objects.all()))
        self.assertEqual(len(expected), 4)
        for _ in range(2):  # compiled once, sent again with another batch's arrays
            self.assertEqual(list(batch_facts(ids, brand_ids=self.brands)), expected)
        self.assertEqual(list(batch_facts(ids[:1], brand_ids=self.brands)), expected[:1])

    def test_a_campaign_of_a_brand_not_locked_is_left_out_in_one_statement(self) -> None:
        ids = sorted(Campaign.objects.values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as captured:
            found = [facts.brand_id for facts in batch_facts(ids, brand_ids=self.brands[:1])]
        self.assertEqual(found, [self.brands[0]] * 2)
        self.assertEqual(len(captured.captured_queries), 1)
