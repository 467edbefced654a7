"""An index on brands' (timezone, spend_day): the reset's steady run asks which zones are in use
(a probe per zone, `ads.sql.brands.zones_in_use`) and which brands are still in an earlier
local day, without reading every brand (issue 13, target 2)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ads", "0014_delivery_foreign_keys_in_django")]

    operations = [
        migrations.AddIndex(
            model_name="brand",
            index=models.Index(fields=["timezone", "spend_day"], name="brand_zone_day"),
        ),
    ]
