"""`ads.sql.brands.zones_in_use`: the zones brands use, by probing the index once per zone."""

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from ads.sql.brands import zones_in_use
from ads.tests.builders import make_brand


class ZonesInUseTests(TestCase):
    def test_none_without_brands(self) -> None:
        self.assertEqual(zones_in_use(), [])

    def test_each_zone_once_in_order_in_one_statement(self) -> None:
        for number, name in enumerate(["Europe/Paris", "UTC", "Asia/Tokyo", "UTC", "Europe/Paris"]):
            make_brand(f"Brand {number}", timezone=name)
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(zones_in_use(), ["Asia/Tokyo", "Europe/Paris", "UTC"])
        self.assertEqual(len(captured.captured_queries), 1)
