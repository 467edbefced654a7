"""The beat schedule: in django-celery-beat's tables right after migrate, read by the
DatabaseScheduler that beat uses by default, kept when an operator edits it, and removed by
the migration's reverse."""

import importlib
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.test import TestCase

# django-celery-beat ships no type information.
from django_celery_beat.models import IntervalSchedule, PeriodicTask  # type: ignore[import-untyped]
from django_celery_beat.schedulers import DatabaseScheduler  # type: ignore[import-untyped]

from budget_system.celery import app

schedule_migration = importlib.import_module("ads.migrations.0002_periodic_tasks")

EXPECTED = {
    "ads.tasks.enforce_dayparting": timedelta(minutes=1),
    "ads.tasks.enforce_budgets": timedelta(minutes=5),
    "ads.tasks.reset_daily_monthly_spends": timedelta(minutes=15),
}

# Entries added by later migrations (0010 webhooks, 0011 alerts, 0019 pruning), by entry name.
LATER = {
    "Check stale data": ("ads.tasks.check_stale_data", timedelta(minutes=15)),
    "Send pending alert emails": ("ads.tasks.send_pending_alert_emails", timedelta(minutes=5)),
    "Deliver webhooks": ("ads.tasks.deliver_webhooks", timedelta(minutes=1)),
    "Prune old events": ("ads.tasks.prune_events", timedelta(hours=1)),
}


def ours() -> dict[str, PeriodicTask]:
    tasks = PeriodicTask.objects.filter(task__in=EXPECTED).select_related("interval")
    return {task.task: task for task in tasks}


class BeatScheduleTests(TestCase):
    def test_the_periodic_tasks_exist_after_migrate(self) -> None:
        tasks = ours()
        self.assertEqual(set(tasks), set(EXPECTED))
        for name, every in EXPECTED.items():
            with self.subTest(task=name):
                task = tasks[name]
                self.assertTrue(task.enabled)
                self.assertIsNotNone(task.interval)
                self.assertEqual(task.interval.schedule.run_every, every)
                self.assertIsNone(task.crontab)
                self.assertEqual((task.args, task.kwargs), ("[]", "{}"))
                # A run that waited longer than one interval is dropped, not piled up.
                self.assertIsNotNone(task.expire_seconds)
                self.assertLessEqual(timedelta(seconds=task.expire_seconds or 0), every)

    def test_later_migrations_entries_exist_with_their_tasks_and_expiries(self) -> None:
        tasks = {
            task.name: task
            for task in PeriodicTask.objects.filter(name__in=LATER).select_related("interval")
        }
        self.assertEqual(set(tasks), set(LATER))
        for name, (task_name, every) in LATER.items():
            with self.subTest(entry=name):
                task = tasks[name]
                self.assertEqual(task.task, task_name)
                self.assertTrue(task.enabled)
                self.assertEqual(task.interval.schedule.run_every, every)
                self.assertIsNone(task.crontab)
                # Dropped past one interval: the next run does the same work.
                self.assertEqual(timedelta(seconds=task.expire_seconds or 0), every)
                self.assertTrue(task.description)
        app.loader.import_default_modules()
        self.assertLessEqual({task for task, _ in LATER.values()}, set(app.tasks))

    def test_the_worker_finds_the_tasks_by_autodiscovery(self) -> None:
        app.loader.import_default_modules()  # what a starting worker does
        self.assertLessEqual(set(EXPECTED), set(app.tasks))

    def test_beat_reads_them_through_the_database_scheduler(self) -> None:
        self.assertEqual(settings.CELERY_BEAT_SCHEDULER, app.conf.beat_scheduler)
        self.assertEqual(app.conf.beat_scheduler, "django_celery_beat.schedulers:DatabaseScheduler")
        scheduler = DatabaseScheduler(app=app, lazy=True)
        entries = {entry.task: entry for entry in scheduler.all_as_schedule().values()}
        for name, every in EXPECTED.items():
            with self.subTest(task=name):
                self.assertEqual(entries[name].schedule.run_every, every)
                self.assertEqual(entries[name].options["expires"], every.total_seconds())

    def test_rerunning_the_migration_keeps_an_operators_changes(self) -> None:
        budgets = PeriodicTask.objects.get(task="ads.tasks.enforce_budgets")
        budgets.interval, _ = IntervalSchedule.objects.get_or_create(
            every=10, period=IntervalSchedule.MINUTES
        )
        budgets.enabled = False
        budgets.save()

        schedule_migration.add_schedule(apps, None)

        budgets.refresh_from_db()
        self.assertEqual((budgets.interval.every, budgets.enabled), (10, False))
        self.assertEqual(PeriodicTask.objects.filter(task__in=EXPECTED).count(), 3)

    def test_the_reverse_removes_them_and_keeps_what_others_use(self) -> None:
        every_five = IntervalSchedule.objects.get(every=5, period=IntervalSchedule.MINUTES)
        PeriodicTask.objects.create(
            name="Operator's own report", task="ads.tasks.enforce_budgets", interval=every_five
        )

        schedule_migration.remove_schedule(apps, None)

        self.assertEqual(
            list(PeriodicTask.objects.filter(task__in=EXPECTED).values_list("name", flat=True)),
            ["Operator's own report"],
        )
        # Intervals no entry uses are gone; the one the operator's entry uses stays (later
        # migrations' entries, such as the webhook sweep's, keep theirs too).
        self.assertFalse(IntervalSchedule.objects.filter(periodictask__isnull=True).exists())
        self.assertTrue(IntervalSchedule.objects.filter(pk=every_five.pk).exists())

        schedule_migration.add_schedule(apps, None)
        self.assertEqual(set(ours()), set(EXPECTED))
