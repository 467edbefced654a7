"""Deliveries without FOREIGN KEY constraints or an index of their own on `event`.

A batch of 100 spends that each pause a campaign paid about 1 ms at commit for the two
deferred foreign-key checks of each delivery row, and another index insert per row for an
index that the unique (event, endpoint) constraint already covers (docs/BENCHMARKS.md, "The
outbox"). Deliveries are only written by `ads.sql.outbox.insert_events`, from the events it
inserts and the endpoints it reads, and Django cascades the deletes of both.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ads", "0013_campaign_next_check")]

    operations = [
        migrations.AlterField(
            model_name="delivery",
            name="endpoint",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to="ads.webhookendpoint",
            ),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="event",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to="ads.event",
            ),
        ),
    ]
