"""The safety net's rolling pass (`CampaignService.safety_net`, the body of `enforce_budgets`):
each run repairs what is due and the next slice of campaigns in id order, from where the last
run stopped, so a run costs the same at any number of campaigns and the pass still reaches
every campaign. Clocks are pinned with time_machine."""

from datetime import time
from typing import Any

import time_machine
from django.db import OperationalError, connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from ads.models import Campaign, CampaignStatusChange, SweepCursor
from ads.selectors.campaigns import slice_end
from ads.services import CampaignService
from ads.tests.builders import make_brand, make_campaign, make_schedule, utc

Cause = CampaignStatusChange.Cause
# A Wednesday; New York is on EDT (UTC-4).
NOON = utc("2026-03-18T16:00")


def serving(campaigns: list[Campaign]) -> list[bool]:
    return [Campaign.objects.get(pk=c.pk).is_active for c in campaigns]


def cursor() -> tuple[int, object]:
    row = SweepCursor.objects.get(name=Cause.ENFORCE_BUDGETS)
    return row.after_id, row.passed_at


@time_machine.travel(NOON, tick=False)
class RollingPassTests(TestCase):
    def setUp(self) -> None:
        brands = [make_brand(f"Brand {n}") for n in range(3)]
        self.campaigns = [make_campaign(brands[n % 3], f"C{n}") for n in range(7)]
        # Written around the rules: every campaign paused, though each should serve.
        Campaign.objects.update(is_active=False)

    def run_net(self) -> list[int]:
        result = CampaignService.safety_net(Cause.ENFORCE_BUDGETS, size=3)
        return sorted(result.activated)

    def test_each_run_repairs_the_next_slice_and_the_pass_wraps_round(self) -> None:
        ids = [c.pk for c in self.campaigns]
        self.assertEqual(self.run_net(), ids[0:3])
        self.assertEqual(cursor(), (ids[2], None))
        self.assertEqual(serving(self.campaigns), [True] * 3 + [False] * 4)

        self.assertEqual(self.run_net(), ids[3:6])
        self.assertEqual(self.run_net(), ids[6:7])
        self.assertEqual(cursor(), (0, NOON))  # the pass is complete: the next starts over
        self.assertEqual(serving(self.campaigns), [True] * 7)

        Campaign.objects.filter(pk=ids[1]).update(is_active=False)
        self.assertEqual(self.run_net(), [ids[1]])
        self.assertEqual(cursor(), (ids[2], NOON))

    def test_a_due_campaign_is_judged_whatever_slice_the_pass_is_in(self) -> None:
        office = self.campaigns[6]
        make_schedule(office, time(9), time(17))  # judged now: serves until 17:00 EDT
        evening = utc("2026-03-18T21:30")
        result = CampaignService.safety_net(Cause.ENFORCE_BUDGETS, now=evening, size=3)
        self.assertIn(office.pk, result.paused)  # due at 17:00, though beyond the first slice
        self.assertEqual(sorted(result.activated), [c.pk for c in self.campaigns[0:3]])
        self.assertEqual(serving(self.campaigns), [True] * 3 + [False] * 4)

    def test_a_run_that_fails_leaves_the_cursor_so_the_next_repeats_its_slice(self) -> None:
        self.run_net()
        before = cursor()

        def lost_connection(execute: Any, sql: str, *args: Any) -> Any:
            if 'UPDATE "ads_campaign"' in sql:
                raise OperationalError("server closed the connection unexpectedly")
            return execute(sql, *args)

        with connection.execute_wrapper(lost_connection), self.assertRaises(OperationalError):
            CampaignService.safety_net(Cause.ENFORCE_BUDGETS, size=3)
        self.assertEqual(cursor(), before)
        self.assertEqual(serving(self.campaigns)[3:6], [False] * 3)
        self.assertEqual(self.run_net(), [c.pk for c in self.campaigns[3:6]])

    def test_a_run_takes_the_same_queries_at_10_and_at_60_campaigns(self) -> None:
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                CampaignService.safety_net(Cause.ENFORCE_BUDGETS, size=5)
            return len(captured)

        CampaignService.safety_net(Cause.ENFORCE_BUDGETS, size=5)  # the cursor row exists
        small = queries()
        brand = make_brand("Many")
        for n in range(50):
            make_campaign(brand, f"More {n}")
        Campaign.objects.update(is_active=False)
        self.assertEqual(queries(), small)


class SliceEndTests(TestCase):
    def test_the_end_is_the_size_th_id_after_the_cursor_or_none_when_no_more_are_left(self) -> None:
        brand = make_brand()
        ids = [make_campaign(brand, f"C{n}").pk for n in range(4)]
        self.assertEqual(slice_end(after_id=0, size=2), ids[1])
        self.assertEqual(slice_end(after_id=0, size=3), ids[2])
        self.assertIsNone(slice_end(after_id=0, size=4))  # exactly the rest: to the end
        self.assertIsNone(slice_end(after_id=ids[1], size=2))
        self.assertIsNone(slice_end(after_id=ids[1], size=3))
        with self.assertRaises(ValueError):
            slice_end(after_id=0, size=0)


class CursorRowTests(TestCase):
    def test_the_cursor_exists_right_after_migrate_at_the_start_of_a_pass(self) -> None:
        self.assertEqual(cursor(), (0, None))
