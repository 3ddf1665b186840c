"""Celery application, tenant-aware.

``tenant_schemas_celery.CeleryApp`` stamps every task sent from a tenant's context
with the schema name (header ``_schema_name``) and the worker switches to that
schema before running it, so a task never relies on whatever schema the worker used
last. Two queues keep heavy work (exports, imports) from delaying light work
(emails): see ``config.settings.CELERY_TASK_ROUTES``.
"""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = CeleryApp("platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
