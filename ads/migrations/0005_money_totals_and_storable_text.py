"""Totals and budgets sized for real currencies; text and budgets checked before the database.

Budgets, brand totals and totals corrections go from 14 to 20 digits (a month of 10^12 is ordinary
in IDR or VND; each spend stays within 14). The validators on names, descriptions and external ids
change no column: on PostgreSQL the ledger (ads_spendlog) is not touched, so the append-only
trigger of 0004 is never asked to allow a rewrite.
"""

import ads.validators
import django.core.validators
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ads', '0004_ledger_append_only'),
    ]

    operations = [
        migrations.AlterField(
            model_name='brand',
            name='current_daily_spend',
            field=models.DecimalField(decimal_places=2, default=Decimal('0.00'), editable=False, max_digits=20, verbose_name='spend today'),
        ),
        migrations.AlterField(
            model_name='brand',
            name='current_monthly_spend',
            field=models.DecimalField(decimal_places=2, default=Decimal('0.00'), editable=False, max_digits=20, verbose_name='spend this month'),
        ),
        migrations.AlterField(
            model_name='brand',
            name='daily_budget',
            field=models.DecimalField(decimal_places=2, max_digits=20, validators=[django.core.validators.MinValueValidator(Decimal('0.00')), ads.validators.validate_total], verbose_name='daily budget'),
        ),
        migrations.AlterField(
            model_name='brand',
            name='monthly_budget',
            field=models.DecimalField(decimal_places=2, max_digits=20, validators=[django.core.validators.MinValueValidator(Decimal('0.00')), ads.validators.validate_total], verbose_name='monthly budget'),
        ),
        migrations.AlterField(
            model_name='brand',
            name='name',
            field=models.CharField(max_length=200, unique=True, validators=[ads.validators.validate_text]),
        ),
        migrations.AlterField(
            model_name='campaign',
            name='name',
            field=models.CharField(max_length=200, validators=[ads.validators.validate_text]),
        ),
        migrations.AlterField(
            model_name='spendlog',
            name='description',
            field=models.CharField(blank=True, default='', max_length=500, validators=[ads.validators.validate_text]),
        ),
        migrations.AlterField(
            model_name='spendlog',
            name='external_id',
            field=models.CharField(blank=True, help_text="The ad platform's id of the event: a re-delivery with this id counts once.", max_length=200, null=True, validators=[ads.validators.validate_text]),
        ),
        migrations.AlterField(
            model_name='totalscorrection',
            name='daily_after',
            field=models.DecimalField(decimal_places=2, max_digits=20, verbose_name='daily total after'),
        ),
        migrations.AlterField(
            model_name='totalscorrection',
            name='daily_before',
            field=models.DecimalField(decimal_places=2, max_digits=20, verbose_name='daily total before'),
        ),
        migrations.AlterField(
            model_name='totalscorrection',
            name='monthly_after',
            field=models.DecimalField(decimal_places=2, max_digits=20, verbose_name='monthly total after'),
        ),
        migrations.AlterField(
            model_name='totalscorrection',
            name='monthly_before',
            field=models.DecimalField(decimal_places=2, max_digits=20, verbose_name='monthly total before'),
        ),
    ]
