"""Database guards of the attachment rules the unique index cannot express.

The service checks the same rules first, with messages for the member; these triggers
keep the data right whatever writes it (a script, the admin, a concurrent request):
- an attached site has the perimeter's member and segment;
- a mono-site perimeter holds at most one site;
- a perimeter's segment or type cannot change under sites that no longer fit.
They are plain (not deferred) constraint triggers, so a violation raises an
IntegrityError at the end of the offending statement.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION billing_groups_attachment_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    p record;
    s record;
    n integer;
BEGIN
    SELECT member_id, segment, billing_type INTO p FROM billing_groups_billingperimeter WHERE id = NEW.perimeter_id;
    SELECT member_id, segment INTO s FROM perimeter_site WHERE id = NEW.site_id;
    IF s.member_id <> p.member_id THEN
        RAISE EXCEPTION 'site % and billing perimeter % belong to different members', NEW.site_id, NEW.perimeter_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF s.segment <> p.segment THEN
        RAISE EXCEPTION 'site % has segment %, billing perimeter % is %', NEW.site_id, s.segment, NEW.perimeter_id, p.segment
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF p.billing_type = 'mono_site' THEN
        SELECT count(*) INTO n FROM billing_groups_billingperimetersite WHERE perimeter_id = NEW.perimeter_id;
        IF n > 1 THEN
            RAISE EXCEPTION 'mono-site billing perimeter % holds % sites', NEW.perimeter_id, n
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER billing_groups_attachment_check
    AFTER INSERT OR UPDATE ON billing_groups_billingperimetersite
    NOT DEFERRABLE FOR EACH ROW EXECUTE FUNCTION billing_groups_attachment_check();

CREATE OR REPLACE FUNCTION billing_groups_perimeter_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM billing_groups_billingperimetersite a JOIN perimeter_site s ON s.id = a.site_id
        WHERE a.perimeter_id = NEW.id AND (s.segment <> NEW.segment OR s.member_id <> NEW.member_id)
    ) THEN
        RAISE EXCEPTION 'billing perimeter % has attached sites of another segment or member', NEW.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.billing_type = 'mono_site'
       AND (SELECT count(*) FROM billing_groups_billingperimetersite WHERE perimeter_id = NEW.id) > 1 THEN
        RAISE EXCEPTION 'mono-site billing perimeter % holds several sites', NEW.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER billing_groups_perimeter_check
    AFTER UPDATE OF segment, billing_type, member_id ON billing_groups_billingperimeter
    NOT DEFERRABLE FOR EACH ROW EXECUTE FUNCTION billing_groups_perimeter_check();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS billing_groups_perimeter_check ON billing_groups_billingperimeter;
DROP FUNCTION IF EXISTS billing_groups_perimeter_check();
DROP TRIGGER IF EXISTS billing_groups_attachment_check ON billing_groups_billingperimetersite;
DROP FUNCTION IF EXISTS billing_groups_attachment_check();
"""


class Migration(migrations.Migration):
    dependencies = [("billing_groups", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
