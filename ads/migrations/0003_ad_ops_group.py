"""Placeholder: the "Ad ops" group data migration is filled in by the admin work."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ads", "0002_periodic_tasks"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations: list[migrations.operations.base.Operation] = []
