"""Each brand keeps when its newest ledger entry was recorded, so that the stale-data check
(every 15 minutes) reads the brands alone: it looked for each brand's recent entries in the
whole ledger, which has no index on `recorded_at` and grows for ever. Filled in once here from
the ledger; from now on the roll-up keeps it, in the write of the brand's totals.
"""

from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery


def fill_in(apps, schema_editor):
    Brand = apps.get_model("ads", "Brand")
    SpendLog = apps.get_model("ads", "SpendLog")
    newest = (
        SpendLog.objects.filter(campaign__brand=OuterRef("pk"))
        .order_by()
        .values("campaign__brand")
        .annotate(newest=Max("recorded_at"))
        .values("newest")
    )
    Brand.objects.update(last_recorded_at=Subquery(newest))


class Migration(migrations.Migration):
    dependencies = [
        ("ads", "0019_prune_events_task"),
    ]

    operations = [
        migrations.AddField(
            model_name="brand",
            name="last_recorded_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_in, migrations.RunPython.noop),
    ]
