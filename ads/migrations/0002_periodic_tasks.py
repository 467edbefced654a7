"""The beat schedule, as rows of django-celery-beat's DatabaseScheduler.

get_or_create by name: an operator's later change to an entry (its interval, or switching it
off in the admin) survives a re-run of migrate. Each entry expires after one interval, so a
backlog behind a stopped worker never piles up runs of the same task.
"""

from django.db import migrations
from django.utils import timezone

# (entry name, task, minutes between runs, description)
SCHEDULE = [
    (
        "Enforce dayparting",
        "ads.tasks.enforce_dayparting",
        1,
        "Every minute: pause campaigns whose dayparting window has closed, resume those whose "
        "window has opened.",
    ),
    (
        "Enforce budgets",
        "ads.tasks.enforce_budgets",
        5,
        "Every 5 minutes: bring every campaign in line with its brand's budgets.",
    ),
    (
        "Reset daily and monthly spends",
        "ads.tasks.reset_daily_monthly_spends",
        15,
        "Every 15 minutes, so every time zone's midnight is met: roll brands into their new "
        "local day or month and reactivate the campaigns that have cleared.",
    ),
]


def _tell_beat(apps):
    """Bump the change marker that a running DatabaseScheduler polls (signals do not fire here)."""
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def add_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minutes, description in SCHEDULE:
        interval, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": task,
                "interval": interval,
                "expire_seconds": minutes * 60,
                "description": description,
            },
        )
    _tell_beat(apps)


def remove_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in SCHEDULE]).delete()
    # Intervals another entry still uses stay.
    IntervalSchedule.objects.filter(
        every__in=[minutes for _, _, minutes, _ in SCHEDULE],
        period="minutes",
        periodictask__isnull=True,
    ).delete()
    _tell_beat(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("ads", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
