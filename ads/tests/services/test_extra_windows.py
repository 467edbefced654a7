"""Several windows in one schedule: the field and overlap rules on the models, the verdict
(inside when any window is open) through every reader, and the re-evaluation on each edit.

The pure overlap rule is in ads/tests/rules/test_window_overlaps.py; the windows across both DST
changes in ads/tests/reliability/test_clock_windows.py.
"""

from datetime import time

import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext

from ads.models import Campaign, CampaignStatusChange, DaypartingSchedule, DaypartingWindow
from ads.selectors import blocked_by, campaign_facts, reason_counts
from ads.services import CampaignService, DaypartingService
from ads.tests.builders import is_active, make_brand, make_campaign, make_schedule, utc

WEEKDAYS = [0, 1, 2, 3, 4]
OUTSIDE = ["Outside dayparting window"]


def add_window(
    schedule: DaypartingSchedule, start: time, end: time, days: list[int] | None = None
) -> DaypartingWindow:
    window = DaypartingWindow(schedule=schedule, start_time=start, end_time=end)
    if days is not None:
        window.days_of_week = days
    window.full_clean()
    window.save()
    return window


class WindowValidationTests(TestCase):
    def setUp(self) -> None:
        self.schedule = make_schedule(make_campaign(), time(9), time(12), WEEKDAYS)

    def test_an_extra_window_has_the_schedules_own_field_rules(self) -> None:
        for start, end, days, field in [
            (time(14), time(14), [0], "end_time"),
            (time(14), time(15), [], "days_of_week"),
            (time(14), time(15), [1, 1], "days_of_week"),
            (time(14), time(15), [7], "days_of_week"),
        ]:
            for model in (DaypartingWindow(schedule=self.schedule), self.schedule):
                with self.subTest(model=type(model).__name__, days=days, field=field):
                    model.start_time, model.end_time, model.days_of_week = start, end, days
                    with self.assertRaises(ValidationError) as caught:
                        model.full_clean()
                    self.assertIn(field, caught.exception.message_dict)
        self.assertEqual(DaypartingWindow.objects.count(), 0)

    def test_days_come_out_in_order(self) -> None:
        window = add_window(self.schedule, time(14), time(15), [3, 1])
        self.assertEqual(window.days_of_week, [1, 3])

    def test_a_window_overlapping_the_schedules_own_is_refused_naming_both(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            add_window(self.schedule, time(11), time(13), [2])
        self.assertEqual(
            caught.exception.messages, ["Wed 11:00–13:00 overlaps Mon–Fri 09:00–12:00"]
        )
        self.assertEqual(DaypartingWindow.objects.count(), 0)

    def test_a_window_overlapping_another_extra_window_is_refused_naming_both(self) -> None:
        add_window(self.schedule, time(14), time(18), [0])
        with self.assertRaises(ValidationError) as caught:
            add_window(self.schedule, time(17), time(19), [0, 6])
        self.assertEqual(
            caught.exception.messages, ["Mon, Sun 17:00–19:00 overlaps Mon 14:00–18:00"]
        )

    @time_machine.travel(utc("2026-03-18T12:00:00"), tick=False)
    def test_a_bad_or_overlapping_window_saved_without_full_clean_is_refused(self) -> None:
        # From the shell, save() alone: the same rules as full_clean, and nothing stored.
        changes = CampaignStatusChange.objects.filter(campaign=self.schedule.campaign)
        before = DaypartingSchedule.objects.values_list("extra_windows_text").get()
        changes_before = changes.count()
        for start, end, days, field in [
            (time(14), time(14), [0], "end_time"),
            (time(14), time(15), [7], "days_of_week"),
            (time(14), time(15), [1, 1], "days_of_week"),
            (time(14), time(15), "1", "days_of_week"),
            (time(11), time(13), [2], "__all__"),  # overlaps the schedule's own
            (time(22), time(10), [6], "__all__"),  # Sunday night into Monday's 09:00
        ]:
            with self.subTest(start=start, end=end, days=days):
                window = DaypartingWindow(
                    schedule=self.schedule, start_time=start, end_time=end, days_of_week=days
                )
                with self.assertRaises(ValidationError) as caught:
                    window.save()
                self.assertIn(field, caught.exception.message_dict)
        self.assertEqual(DaypartingWindow.objects.count(), 0)
        self.assertEqual(DaypartingSchedule.objects.values_list("extra_windows_text").get(), before)
        self.assertEqual(changes.count(), changes_before)

    def test_touching_windows_and_a_window_changed_in_place_are_accepted(self) -> None:
        window = add_window(self.schedule, time(12), time(14), WEEKDAYS)
        window.end_time = time(15)
        window.full_clean()  # not compared with itself
        window.save()
        self.assertEqual(self.schedule.extra_windows.count(), 1)

    def test_the_schedules_own_window_may_not_grow_over_an_extra_one(self) -> None:
        add_window(self.schedule, time(14), time(18), [0])
        self.schedule.end_time = time(15)
        with self.assertRaises(ValidationError) as caught:
            self.schedule.full_clean()
        self.assertEqual(
            caught.exception.messages, ["Mon–Fri 09:00–15:00 overlaps Mon 14:00–18:00"]
        )


class AnyWindowOpenTests(TestCase):
    """Mon–Fri 09:00–12:00 plus 14:00–18:00 New York: open in either, closed between."""

    def setUp(self) -> None:
        self.campaign = make_campaign(make_brand(timezone="America/New_York"))
        self.schedule = make_schedule(self.campaign, time(9), time(12), WEEKDAYS)
        add_window(self.schedule, time(14), time(18), WEEKDAYS)

    def test_every_reader_agrees_on_each_side_of_each_edge(self) -> None:
        # Wednesday 2026-03-18, EDT (UTC-4).
        cases = [
            ("2026-03-18T12:59:59", False),
            ("2026-03-18T13:00:00", True),  # 09:00
            ("2026-03-18T15:59:59", True),
            ("2026-03-18T16:00:00", False),  # 12:00
            ("2026-03-18T18:00:00", True),  # 14:00: the extra window
            ("2026-03-18T21:59:59", True),
            ("2026-03-18T22:00:00", False),  # 18:00
            ("2026-03-21T18:00:00", False),  # Saturday 14:00
        ]
        for instant, expected in cases:
            with self.subTest(instant=instant), time_machine.travel(utc(instant), tick=False):
                self.assertIs(DaypartingService.is_within_window(self.schedule), expected)
                verdict, reasons = CampaignService.should_campaign_be_active(self.campaign)
                self.assertEqual((verdict, reasons), (expected, [] if expected else OUTSIDE))
                CampaignService.sync_all(CampaignStatusChange.Cause.ENFORCE_DAYPARTING)
                self.assertIs(is_active(self.campaign), expected)
                counts = reason_counts(Campaign.objects.all(), [OUTSIDE[0], None], now=utc(instant))
                self.assertEqual(counts, {OUTSIDE[0]: 0 if expected else 1, None: int(expected)})

    def test_saving_and_deleting_an_extra_window_re_evaluates_its_campaign(self) -> None:
        with time_machine.travel(utc("2026-03-18T19:00:00"), tick=False):  # Wed 15:00
            CampaignService.sync_all(CampaignStatusChange.Cause.ENFORCE_DAYPARTING)
            self.assertTrue(is_active(self.campaign))
            window = self.schedule.extra_windows.get()
            window.start_time = time(16)
            window.save()
            self.assertFalse(is_active(self.campaign))
            window.start_time = time(15)
            window.save()
            self.assertTrue(is_active(self.campaign))
            window.delete()
            self.assertFalse(is_active(self.campaign))
        causes = list(
            CampaignStatusChange.objects.filter(campaign=self.campaign)
            .order_by("pk")
            .values_list("is_active", "cause")
        )
        operator = CampaignStatusChange.Cause.OPERATOR
        self.assertEqual(causes[-3:], [(False, operator), (True, operator), (False, operator)])

    def test_a_schedule_deleted_with_its_windows_frees_the_campaign(self) -> None:
        with time_machine.travel(utc("2026-03-18T17:00:00"), tick=False):  # Wed 13:00
            CampaignService.sync_all(CampaignStatusChange.Cause.ENFORCE_DAYPARTING)
            self.assertFalse(is_active(self.campaign))
            self.schedule.delete()
            self.assertTrue(is_active(self.campaign))
        self.assertEqual(DaypartingWindow.objects.count(), 0)


class SetBasedReadTests(TestCase):
    def make_campaigns(self, count: int) -> None:
        brand = make_brand(f"Brand {count}", timezone="America/New_York")
        for number in range(count):
            schedule = make_schedule(make_campaign(brand, f"C{number}"), time(9), time(12))
            for hour in range(number % 4):
                add_window(schedule, time(13 + hour), time(14 + hour))

    def test_the_sweep_reads_every_window_in_one_query_whatever_the_campaigns(self) -> None:
        self.make_campaigns(3)
        with CaptureQueriesContext(connection) as few:
            facts = list(campaign_facts(Campaign.objects.all()))
        self.make_campaigns(30)
        with CaptureQueriesContext(connection) as many:
            more = list(campaign_facts(Campaign.objects.all()))
        self.assertEqual(len(few), 1)
        self.assertEqual(len(many), 1)
        self.assertEqual(sorted(len(f.windows) for f in facts), [1, 2, 3])
        self.assertEqual(len(more), 33)
        fourth = next(f for f in more if len(f.windows) == 4)
        self.assertEqual(
            [(w.start, w.end) for w in fourth.windows],
            [(time(9), time(12)), (time(13), time(14)), (time(14), time(15)), (time(15), time(16))],
        )

    def test_the_reason_filter_reads_all_windows_and_finds_each_campaign(self) -> None:
        self.make_campaigns(8)  # C0-C7: 09:00-12:00 New York, then C1 13-14, C2 to 15, C3 to 16
        # Wednesday 2026-03-18 in New York (UTC-4): open until 13:00, 14:00, 15:00 or 16:00.
        for local_hour, open_ones in [(11, 8), (13, 6), (14, 4), (15, 2), (16, 0)]:
            instant = utc(f"2026-03-18T{local_hour + 4:02d}:30")
            with self.subTest(local_hour=local_hour):
                names = blocked_by(Campaign.objects.all(), None, now=instant).values_list(
                    "name", flat=True
                )
                self.assertEqual(
                    sorted(names),
                    sorted(f"C{n}" for n in range(8) if local_hour < 12 or n % 4 > local_hour - 13),
                )
                self.assertEqual(len(names), open_ones)

    def test_six_windows_a_day_in_fifteen_minute_steps(self) -> None:
        campaign = make_campaign(make_brand("Six", timezone="UTC"))
        schedule = make_schedule(campaign, time(0), time(0, 15))
        slots = [(6, 0, 6, 15), (9, 15, 11, 45), (12, 30, 12, 45), (18, 0, 20, 15), (23, 45, 0, 0)]
        for h1, m1, h2, m2 in slots:
            add_window(schedule, time(h1, m1), time(h2, m2))
        cases = [
            ("00:14:59", True), ("00:15", False), ("06:00", True), ("06:15", False),
            ("09:14:59", False), ("09:15", True), ("11:44:59", True), ("11:45", False),
            ("12:30", True), ("12:45", False), ("20:14:59", True), ("20:15", False),
            ("23:44:59", False), ("23:45", True), ("23:59:59", True),
        ]  # fmt: skip
        for clock, expected in cases:
            with self.subTest(clock=clock):
                instant = utc(f"2026-03-18T{clock}")
                self.assertIs(DaypartingService.is_within_window(schedule, instant), expected)
                facts = next(campaign_facts(Campaign.objects.filter(pk=campaign.pk)))
                self.assertEqual(CampaignService.blocking_reasons(facts, instant) == [], expected)


class StoredWindowsTextTests(TestCase):
    """The schedule's `extra_windows_text`, which the sweeps and the reason filter read, follows
    every window save and delete, and equal sets of windows give equal text."""

    def setUp(self) -> None:
        self.brand = make_brand("Stored", timezone="UTC")
        self.schedule = make_schedule(make_campaign(self.brand), time(9), time(12))

    def stored(self, schedule: DaypartingSchedule | None = None) -> str:
        schedule = schedule or self.schedule
        return DaypartingSchedule.objects.get(pk=schedule.pk).extra_windows_text

    def test_saving_changing_and_deleting_a_window_rewrites_the_text(self) -> None:
        self.assertEqual(self.stored(), "")
        first = add_window(self.schedule, time(13), time(14), [2, 0])
        self.assertEqual(self.stored(), "13:00:00|14:00:00|[0, 2]")
        add_window(self.schedule, time(6), time(7))
        self.assertEqual(
            self.stored(), "06:00:00|07:00:00|[0, 1, 2, 3, 4, 5, 6];13:00:00|14:00:00|[0, 2]"
        )
        first.end_time = time(15, 30)
        first.save()
        self.assertIn("13:00:00|15:30:00|[0, 2]", self.stored())
        first.delete()
        self.assertEqual(self.stored(), "06:00:00|07:00:00|[0, 1, 2, 3, 4, 5, 6]")
        DaypartingWindow.objects.filter(schedule=self.schedule).delete()
        self.assertEqual(self.stored(), "")

    def test_a_schedule_saved_again_keeps_its_windows_text(self) -> None:
        add_window(self.schedule, time(13), time(14))
        schedule = DaypartingSchedule.objects.get(pk=self.schedule.pk)
        schedule.extra_windows_text = "stale copy from before"
        schedule.start_time = time(8)
        schedule.save()
        self.assertEqual(self.stored(), "13:00:00|14:00:00|[0, 1, 2, 3, 4, 5, 6]")

    def test_the_same_windows_added_in_another_order_give_the_same_text(self) -> None:
        other = make_schedule(make_campaign(self.brand, "Other"), time(9), time(12))
        add_window(self.schedule, time(13), time(14))
        add_window(self.schedule, time(20), time(21), [5, 6])
        add_window(other, time(20), time(21), [6, 5])
        add_window(other, time(13), time(14))
        self.assertEqual(self.stored(), self.stored(other))


class FillMigrationTests(TransactionTestCase):
    """Schedules made before the column existed get their windows' text from the migration."""

    BEFORE = ("ads", "0011_alert_tasks")

    def test_the_migration_fills_the_text_of_every_schedule_with_windows(self) -> None:
        executor = MigrationExecutor(connection)
        executor.migrate([self.BEFORE])
        old = executor.loader.project_state([self.BEFORE]).apps
        brand = old.get_model("ads", "Brand").objects.create(
            name="Old", daily_budget="80.00", monthly_budget="800.00", timezone="UTC",
            spend_day="2026-03-18", spend_month="2026-03-01",
        )  # fmt: skip
        campaign_model = old.get_model("ads", "Campaign")
        schedule_model = old.get_model("ads", "DaypartingSchedule")
        with_windows, without = (
            schedule_model.objects.create(
                campaign=campaign_model.objects.create(brand_id=brand.pk, name=name),
                start_time=time(9),
                end_time=time(12),
                days_of_week=WEEKDAYS,
            )
            for name in ("With windows", "Without")
        )
        window_model = old.get_model("ads", "DaypartingWindow")
        for start, end, days in [(time(20), time(21), [6]), (time(13), time(14), [0, 1])]:
            window_model.objects.create(
                schedule=with_windows, start_time=start, end_time=end, days_of_week=days
            )

        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

        stored = dict(DaypartingSchedule.objects.values_list("pk", "extra_windows_text"))
        self.assertEqual(
            stored,
            {
                with_windows.pk: "13:00:00|14:00:00|[0, 1];20:00:00|21:00:00|[6]",
                without.pk: "",
            },
        )
