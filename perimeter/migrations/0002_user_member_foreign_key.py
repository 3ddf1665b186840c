"""Inside each syndicate's schema, tie accounts_user.member_id to perimeter_member.

The user table exists in the public schema too (supplier staff), where there is no
member table; so the model declares the link without a database constraint and this
tenant-only migration adds it where both tables live.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("perimeter", "0001_initial"),
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(
                "ALTER TABLE accounts_user ADD CONSTRAINT accounts_user_member_fk "
                "FOREIGN KEY (member_id) REFERENCES perimeter_member (id) DEFERRABLE INITIALLY DEFERRED"
            ),
            reverse_sql="ALTER TABLE accounts_user DROP CONSTRAINT accounts_user_member_fk",
        ),
    ]
