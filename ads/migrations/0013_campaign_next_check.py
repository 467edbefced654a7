"""Each campaign stores when the clock alone next changes whether it serves, indexed, so the
minute's sweep reads only the campaigns due; the full re-evaluation ("Enforce budgets") becomes
the hourly safety net.

The column is filled with the instant of the migration: every existing campaign is due at
once, and the first `enforce_dayparting` after it judges each one and stores its real next
change (issue 13, target 2: sweeps cost what changes, not what exists). The beat entry moves
from every 5 minutes to every hour only when it still has 0002's interval: an operator's own
choice stays.
"""

from importlib import import_module
from typing import Any

from django.db import migrations, models
from django.utils import timezone

periodic_tasks = import_module("ads.migrations.0002_periodic_tasks")

ENTRY = "Enforce budgets"
BEFORE = (5, "Every 5 minutes: bring every campaign in line with its brand's budgets.")
AFTER = (
    60,
    "Every hour, the safety net: re-evaluate every campaign against every rule and store its "
    "next check again, repairing anything written around the rules. Spends pause at once and "
    "the minute's sweep follows the clock, so nothing waits for this in the usual case.",
)


def _move(apps: Any, *, source: tuple[int, str], target: tuple[int, str]) -> None:
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    minutes, description = target
    interval, _ = interval_model.objects.get_or_create(every=minutes, period="minutes")
    moved = task_model.objects.filter(
        name=ENTRY, interval__every=source[0], interval__period="minutes"
    ).update(interval=interval, expire_seconds=minutes * 60, description=description)
    if moved:
        periodic_tasks._tell_beat(apps)


def hourly(apps: Any, schema_editor: Any) -> None:
    _move(apps, source=BEFORE, target=AFTER)


def every_five_minutes(apps: Any, schema_editor: Any) -> None:
    _move(apps, source=AFTER, target=BEFORE)
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    interval_model.objects.filter(
        every=AFTER[0], period="minutes", periodictask__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ads", "0012_schedule_extra_windows_text"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="next_check_at",
            field=models.DateTimeField(
                default=timezone.now, editable=False, null=True, verbose_name="next check"
            ),
        ),
        migrations.AddField(
            model_name="campaign",
            name="checked_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="checked"),
        ),
        migrations.AddIndex(
            model_name="campaign",
            index=models.Index(fields=["next_check_at"], name="campaign_next_check"),
        ),
        migrations.AddIndex(
            model_name="campaign",
            index=models.Index(fields=["checked_at"], name="campaign_checked"),
        ),
        migrations.RunPython(hourly, every_five_minutes),
    ]
