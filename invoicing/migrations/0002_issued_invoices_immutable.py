"""Issued invoices never change: a trigger refuses any UPDATE or DELETE on an invoice, its sites,
its lines and its VAT amounts. A correction is a credit note followed by a new invoice."""

from django.db import migrations

TABLES = ("invoicing_invoice", "invoicing_invoicesite", "invoicing_invoiceline", "invoicing_invoicevat")

FORWARD = """
CREATE OR REPLACE FUNCTION invoicing_issued_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'an issued invoice is immutable (%): issue a credit note and a new invoice', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION invoicing_issued_immutable();\n"
    for table in TABLES
)
BACKWARD = "".join(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};\n" for table in TABLES) + (
    "DROP FUNCTION IF EXISTS invoicing_issued_immutable();"
)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
