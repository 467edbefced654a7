"""Two indexes and a foreign-key check fewer for each campaign a sync switches.

Every switch rewrites the campaign's row (its state and next check are indexed, so the update
is never HOT) and inserts a history row: each index of either table takes an entry, and the
history's foreign key was checked at commit, row by row. The campaign's own index on `brand`
duplicates the unique (brand, name) index, and the history's on `campaign` its (campaign,
-changed_at) index; the history's rows are written only by a sync, for campaigns it has just
read under their brand's lock, and Django cascades a campaign's delete (as for deliveries,
migration 0014). docs/BENCHMARKS.md, "Sweeps cost what changes", has the half flip before and
after.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ads", "0015_brand_zone_day"),
    ]

    operations = [
        migrations.AlterField(
            model_name="campaign",
            name="brand",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="campaigns",
                to="ads.brand",
            ),
        ),
        migrations.AlterField(
            model_name="campaignstatuschange",
            name="campaign",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="status_changes",
                to="ads.campaign",
            ),
        ),
    ]
