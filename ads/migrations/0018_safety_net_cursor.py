"""The safety net's rolling pass: `enforce_budgets` judges what is due and a fixed slice of
campaigns a run, continuing in id order where the last run stopped, so a run costs the same at
any number of campaigns (issue 13, target 2). The cursor's row starts at the first campaign.
"""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

NAME = "enforce_budgets"


def start(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("ads", "SweepCursor").objects.get_or_create(name=NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("ads", "0017_ledger_campaign_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="SweepCursor",
            fields=[
                ("name", models.CharField(max_length=50, primary_key=True, serialize=False)),
                (
                    "after_id",
                    models.BigIntegerField(
                        default=0,
                        help_text=(
                            "The last campaign id the pass has judged; 0 at the start of a pass."
                        ),
                    ),
                ),
                (
                    "passed_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When the last full pass over every campaign ended.",
                        null=True,
                    ),
                ),
            ],
            options={
                "verbose_name": "sweep cursor",
            },
        ),
        migrations.RunPython(start, migrations.RunPython.noop),
    ]
