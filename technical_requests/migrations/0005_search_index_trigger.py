"""Technical requests enter the account managers' search index in their writing transaction (statement trigger)."""

from django.db import migrations

from technical_requests.workspace_kinds import table_kind

KIND = table_kind()


class Migration(migrations.Migration):
    dependencies = [
        ("technical_requests", "0004_created_index"),
        ("perimeter", "0005_search_index_triggers"),
        ("workspace", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(KIND.functions_sql(), reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(KIND.triggers_sql(), reverse_sql=KIND.drop_triggers_sql()),
    ]
