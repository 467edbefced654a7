"""Each campaign stores when the clock alone next changes whether it serves, indexed, so the
minute's sweep reads only the campaigns due; the full re-evaluation ("Enforce budgets", every 5
minutes as the contract has it) is the safety net.

The column is filled with the instant of the migration: every existing campaign is due at
once, and the first `enforce_dayparting` after it judges each one and stores its real next
change (issue 13, target 2: sweeps cost what changes, not what exists).
"""

from django.db import migrations, models
from django.utils import timezone


class Migration(migrations.Migration):
    dependencies = [
        ("ads", "0012_schedule_extra_windows_text"),
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
    ]
