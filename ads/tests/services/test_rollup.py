"""The one roll-up (`ads.services.rollup.roll_up`): a single spend, a batch and a row created
through the ORM (the SpendLog signal) all go through it, and nothing else writes a roll-up."""

import re
from decimal import Decimal
from pathlib import Path
from unittest import mock

import time_machine
from django.conf import settings
from django.test import TestCase

from ads.models import SpendLog
from ads.services import BudgetService, rollup
from ads.sql.ledger import write_roll_up
from ads.tests.builders import make_brand, make_campaign, totals, utc

NOW = utc("2026-03-18T12:00:00")


@time_machine.travel(NOW, tick=False)
class OneRollUpTests(TestCase):
    def setUp(self) -> None:
        self.brand = make_brand(daily="100.00", monthly="1000.00")
        self.campaign = make_campaign(self.brand, "Search")

    def spy(self) -> mock.MagicMock:
        """The roll-up's one write, watched: every path that rolls up calls it once."""
        patcher = mock.patch.object(rollup, "write_roll_up", wraps=write_roll_up)
        self.addCleanup(patcher.stop)
        return patcher.start()

    def test_a_single_spend_goes_through_the_roll_up(self) -> None:
        writes = self.spy()
        BudgetService.record_spend(self.campaign, "10.00")
        self.assertEqual(writes.call_count, 1)
        self.assertEqual(totals(self.brand), (Decimal("10.00"), Decimal("10.00")))

    def test_a_batch_goes_through_the_roll_up_once(self) -> None:
        writes = self.spy()
        BudgetService.record_spends([(self.campaign.pk, "4.00"), (self.campaign.pk, "6.00")])
        self.assertEqual(writes.call_count, 1)
        self.assertEqual(totals(self.brand), (Decimal("10.00"), Decimal("10.00")))

    def test_a_row_created_through_the_orm_goes_through_the_roll_up(self) -> None:
        writes = self.spy()
        SpendLog.objects.create(campaign=self.campaign, amount=Decimal("10.00"))
        self.assertEqual(writes.call_count, 1)
        self.assertEqual(totals(self.brand), (Decimal("10.00"), Decimal("10.00")))

    def test_no_hand_over_attribute_on_the_ledger_row(self) -> None:
        spend = BudgetService.record_spend(self.campaign, "1.00")
        self.assertFalse(hasattr(spend, "locked_brand"))


class OneImplementationTests(TestCase):
    def test_only_the_roll_up_calls_its_write(self) -> None:
        """`write_roll_up` (ads/sql/ledger.py) is called from ads/services/rollup.py alone."""
        ads = Path(settings.BASE_DIR) / "ads"
        callers = sorted(
            str(path.relative_to(ads.parent))
            for path in ads.rglob("*.py")
            if "tests" not in path.parts
            and re.search(r"\bwrite_roll_up\(", path.read_text(encoding="utf-8"))
        )
        self.assertEqual(callers, ["ads/services/rollup.py", "ads/sql/ledger.py"])
