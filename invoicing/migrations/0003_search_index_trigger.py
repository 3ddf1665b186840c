"""Issued invoices enter the account managers' search index in their writing transaction (statement trigger)."""

from django.db import migrations

from invoicing.workspace_kinds import INVOICE_TABLE_KIND


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0002_issued_invoices_immutable"),
        ("perimeter", "0005_search_index_triggers"),
        ("workspace", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(INVOICE_TABLE_KIND.functions_sql(), reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(INVOICE_TABLE_KIND.triggers_sql(), reverse_sql=INVOICE_TABLE_KIND.drop_triggers_sql()),
    ]
