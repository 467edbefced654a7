"""Webhook delivery: its beat entry, and what the "Ad ops" group may do with deliveries.

The sweep runs every minute (expiring after one interval, like 0002's entries) and sends what
is due: a retry whose time has come, or a delivery whose request after commit was lost. The
group views events, deliveries and their attempts and may deliver again (change_delivery; the
admin shows every field read-only). Endpoints hold secrets: only superusers manage them.
"""

from importlib import import_module

from django.db import migrations
from django.utils import timezone

# Creating the permissions first is 0003's step; a migration is frozen, so it is reused as is.
ad_ops_group = import_module("ads.migrations.0003_ad_ops_group")

ENTRY = "Deliver webhooks"
TASK = "ads.tasks.deliver_webhooks"
GROUP = "Ad ops"
PERMISSIONS = ["view_event", "view_delivery", "change_delivery", "view_deliveryattempt"]


def _tell_beat(apps):
    """Bump the change marker that a running DatabaseScheduler polls (signals do not fire here)."""
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def forward(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=ENTRY,
        defaults={
            "task": TASK,
            "interval": interval,
            "expire_seconds": 60,
            "description": "Every minute: send the webhook deliveries that are due (retries, "
            "and any whose request after commit was lost).",
        },
    )
    _tell_beat(apps)
    ad_ops_group.create_ads_permissions(apps, schema_editor)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    permissions = Permission.objects.filter(content_type__app_label="ads", codename__in=PERMISSIONS)
    if permissions.count() != len(PERMISSIONS):
        raise RuntimeError(f"The {GROUP!r} group's delivery permissions are missing.")
    group.permissions.add(*permissions)


def backward(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=ENTRY).delete()
    _tell_beat(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="ads", codename__in=PERMISSIONS)
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("ads", "0009_alerts_api_keys_events"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forward, backward)]
