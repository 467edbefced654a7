"""The "Ad ops" group edits dayparting windows, as it edits schedules (migration 0003)."""

from importlib import import_module

from django.db import migrations

# Creating the permissions first is 0003's step; a migration is frozen, so it is reused as is.
ad_ops_group = import_module("ads.migrations.0003_ad_ops_group")

GROUP = "Ad ops"
PERMISSIONS = [
    "add_daypartingwindow",
    "change_daypartingwindow",
    "delete_daypartingwindow",
    "view_daypartingwindow",
]


def grant(apps, schema_editor):
    ad_ops_group.create_ads_permissions(apps, schema_editor)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    permissions = Permission.objects.filter(content_type__app_label="ads", codename__in=PERMISSIONS)
    if permissions.count() != len(PERMISSIONS):
        raise RuntimeError(f"The {GROUP!r} group's window permissions are missing.")
    group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="ads", codename__in=PERMISSIONS)
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("ads", "0007_budget_history")]

    operations = [migrations.RunPython(grant, revoke)]
