"""The archived PDF of an issued invoice: one row per invoice, never updated nor deleted (the same
trigger function as the invoice's, migration 0002)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0003_search_index_trigger"),
    ]

    operations = [
        migrations.CreateModel(
            name="InvoicePdf",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("path", models.CharField(max_length=300)),
                ("sha256", models.CharField(max_length=64)),
                ("size", models.PositiveIntegerField()),
                ("rendered_at", models.DateTimeField()),
                (
                    "invoice",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT, related_name="stored_pdf", to="invoicing.invoice"
                    ),
                ),
            ],
            options={
                "verbose_name": "PDF archivé de facture",
            },
        ),
        migrations.RunSQL(
            "CREATE TRIGGER invoicing_invoicepdf_immutable BEFORE UPDATE OR DELETE ON invoicing_invoicepdf "
            "FOR EACH ROW EXECUTE FUNCTION invoicing_issued_immutable();",
            "DROP TRIGGER IF EXISTS invoicing_invoicepdf_immutable ON invoicing_invoicepdf;",
        ),
    ]
