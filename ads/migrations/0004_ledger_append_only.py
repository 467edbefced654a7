"""The database itself refuses UPDATE and DELETE of ledger rows (PostgreSQL).

`SpendLog.save()` and `delete()` refuse above the ORM, but `QuerySet.update()`, `.delete()` and raw
SQL go around them. A row-level trigger stops every such statement. TRUNCATE is left alone: it is
what the test framework's flush uses, and it needs the table owner's rights anyway.

`manage.py check` warns when the trigger is missing (ads.checks). On SQLite (the newcomer's
default) there is nothing to install: the ORM guards are all there is.
"""

from django.db import migrations

FUNCTION = "ads_spendlog_append_only"
TRIGGER = "ads_spendlog_append_only"

CREATE = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The spend ledger is append-only: % of a ledger row is refused.', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER {TRIGGER}
    BEFORE UPDATE OR DELETE ON ads_spendlog
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
"""

DROP = f"""
DROP TRIGGER IF EXISTS {TRIGGER} ON ads_spendlog;
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("ads", "0003_ad_ops_group")]

    operations = [migrations.RunPython(install, remove)]
