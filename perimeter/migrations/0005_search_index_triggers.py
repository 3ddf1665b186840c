"""The search index (public schema, ``workspace``) kept fresh by statement triggers in each syndicate."""

from django.db import migrations

from workspace.sql import TABLE_KINDS


class Migration(migrations.Migration):
    dependencies = [
        ("perimeter", "0004_site_guards"),
        ("accounts", "0006_user_role_supervisor"),
        ("workspace", "0001_initial"),
    ]

    operations = [migrations.RunSQL(kind.triggers_sql(), reverse_sql=kind.drop_triggers_sql()) for kind in TABLE_KINDS]
