"""Inside each syndicate's schema, tie accounts_accessrequest.member_id to perimeter_member.

accounts' tables exist in the public schema too, where there is no member table: the
statement only adds the constraint where perimeter_member is visible (tenant schemas).
"""

from django.db import migrations

ADD = """
DO $$
BEGIN
    IF to_regclass('perimeter_member') IS NOT NULL THEN
        ALTER TABLE accounts_accessrequest ADD CONSTRAINT accounts_accessrequest_member_fk
            FOREIGN KEY (member_id) REFERENCES perimeter_member (id) DEFERRABLE INITIALLY DEFERRED;
    END IF;
END $$;
"""
DROP = "ALTER TABLE accounts_accessrequest DROP CONSTRAINT IF EXISTS accounts_accessrequest_member_fk"


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_access_request"),
        ("perimeter", "0001_initial"),
    ]

    operations = [migrations.RunSQL(sql=ADD, reverse_sql=DROP)]
