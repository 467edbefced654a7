"""Alerts: the stale-data check and the email sweep in beat's schedule, and the "Ad ops" group's
view of alerts.

Both entries expire after one interval, like 0002's, and are harmless when repeated: an alert
is raised once per level and period, and an email is marked as sent. 0002's functions are
reused as they are (a migration is frozen) over this migration's own entries.
"""

from importlib import import_module

from django.db import migrations

periodic_tasks = import_module("ads.migrations.0002_periodic_tasks")
ad_ops_group = import_module("ads.migrations.0003_ad_ops_group")

SCHEDULE = [
    (
        "Check stale data",
        "ads.tasks.check_stale_data",
        15,
        "Every 15 minutes: alert (once per local day) on brands whose campaigns serve but "
        "whose spend has not been recorded for BUDGET_STALE_AFTER seconds.",
    ),
    (
        "Send pending alert emails",
        "ads.tasks.send_pending_alert_emails",
        5,
        "Every 5 minutes: email the alerts whose own email task could not send them (broker "
        "or mail server down).",
    ),
]
GROUP = "Ad ops"
PERMISSIONS = ["view_budgetalert"]


def forward(apps, schema_editor):
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
    periodic_tasks._tell_beat(apps)
    ad_ops_group.create_ads_permissions(apps, schema_editor)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    permissions = Permission.objects.filter(content_type__app_label="ads", codename__in=PERMISSIONS)
    if permissions.count() != len(PERMISSIONS):
        raise RuntimeError(f"The {GROUP!r} group's alert permissions are missing.")
    group.permissions.add(*permissions)


def backward(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in SCHEDULE]).delete()
    periodic_tasks._tell_beat(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="ads", codename__in=PERMISSIONS)
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("ads", "0010_webhook_delivery"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forward, backward)]
