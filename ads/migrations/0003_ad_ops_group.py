"""The "Ad ops" group: what the people who run campaigns day to day may do in the admin.

They manage brands, campaigns and schedules, record spend and read the history. They never
change or delete ledger rows (nobody does) and get no permission over user accounts.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Ad ops"

PERMISSIONS = [
    "add_brand",
    "change_brand",
    "view_brand",
    "add_campaign",
    "change_campaign",
    "delete_campaign",
    "view_campaign",
    "add_daypartingschedule",
    "change_daypartingschedule",
    "delete_daypartingschedule",
    "view_daypartingschedule",
    "add_spendlog",
    "view_spendlog",
    "view_campaignstatuschange",
    "view_totalscorrection",
]


def create_ads_permissions(apps, schema_editor):
    """Create the ads permissions now: on a fresh database post_migrate has not run yet."""
    app_config = apps.get_app_config("ads")
    # create_permissions skips an app without a models module, as a migration state's app is.
    app_config.models_module = True
    try:
        create_permissions(app_config, verbosity=0, apps=apps, using=schema_editor.connection.alias)
    finally:
        app_config.models_module = None


def create_group(apps, schema_editor):
    create_ads_permissions(apps, schema_editor)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    permissions = Permission.objects.filter(content_type__app_label="ads", codename__in=PERMISSIONS)
    if permissions.count() != len(PERMISSIONS):
        raise RuntimeError(f"The {GROUP!r} group's permissions are missing from the database.")
    group.permissions.set(permissions)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ads", "0002_periodic_tasks"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
