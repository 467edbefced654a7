"""One index fewer for every ledger row: the campaign's own index on the ledger.

It duplicates the (campaign, timestamp) index, whose first column serves every lookup by
campaign, while every spend wrote an entry into both (about 2.5 µs a row; 2-3 ms of a batch of
1,000). docs/BENCHMARKS.md, "Spend near the database's speed".
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ads", "0016_sweep_switch_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="spendlog",
            name="campaign",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="spend_logs",
                to="ads.campaign",
            ),
        ),
    ]
