"""The database refuses a status change the state machine does not declare (technical_requests.workflow)."""

from django.db import migrations

from technical_requests.workflow import TRIGGER_FUNCTION, transition_trigger_sql

TABLE = "technical_requests_technicalrequest"


class Migration(migrations.Migration):
    dependencies = [("technical_requests", "0001_initial")]

    operations = [
        migrations.RunSQL(
            transition_trigger_sql(TABLE),
            reverse_sql=f"DROP TRIGGER IF EXISTS {TRIGGER_FUNCTION} ON {TABLE}; DROP FUNCTION IF EXISTS {TRIGGER_FUNCTION}();",
        )
    ]
