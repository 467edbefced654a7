"""The hourly `prune_events` in beat's schedule: settled events older than
EVENT_RETENTION_DAYS go with their deliveries and attempts, so the outbox stops growing with
every switch and alert. Harmless when repeated (what is gone is gone); 0002's functions are
reused as they are (a migration is frozen) over this migration's own entry.
"""

from importlib import import_module

from django.db import migrations

periodic_tasks = import_module("ads.migrations.0002_periodic_tasks")

ENTRY = "Prune old events"
TASK = "ads.tasks.prune_events"
MINUTES = 60
DESCRIPTION = (
    "Every hour: delete the webhook events older than EVENT_RETENTION_DAYS (30 by default) whose "
    "deliveries are all delivered or failed, with their deliveries and attempts."
)


def forward(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=MINUTES, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=ENTRY,
        defaults={
            "task": TASK,
            "interval": interval,
            "expire_seconds": MINUTES * 60,
            "description": DESCRIPTION,
        },
    )
    periodic_tasks._tell_beat(apps)


def backward(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=ENTRY).delete()
    periodic_tasks._tell_beat(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("ads", "0018_safety_net_cursor"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forward, backward)]
