"""Grid versions and their values are append-only: a trigger refuses any UPDATE or DELETE."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION rate_grids_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'regulated rate grids are append-only: load a new version instead of editing %', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER rate_grid_append_only BEFORE UPDATE OR DELETE ON rate_grids_rategrid
    FOR EACH ROW EXECUTE FUNCTION rate_grids_append_only();
CREATE TRIGGER rate_value_append_only BEFORE UPDATE OR DELETE ON rate_grids_ratevalue
    FOR EACH ROW EXECUTE FUNCTION rate_grids_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS rate_value_append_only ON rate_grids_ratevalue;
DROP TRIGGER IF EXISTS rate_grid_append_only ON rate_grids_rategrid;
DROP FUNCTION IF EXISTS rate_grids_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("rate_grids", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
