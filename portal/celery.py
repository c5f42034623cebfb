"""The Celery application; configuration comes from Django settings (CELERY_*).

Worker and beat: see README "Background jobs". Without REDIS_URL tasks run eagerly
in the web process and nothing here needs to run.
"""

import os
from pathlib import Path

from celery import Celery, beat
from celery.schedules import crontab
from django_structlog.celery.steps import DjangoStructLogInitStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task log lines carry the task id and the request id of the request that queued the task.
app.steps["worker"].add(DjangoStructLogInitStep)

# Periodic tasks. Each expires before its next run would be due, so a beat that kept
# sending while every worker was down does not leave a pile of identical sweeps behind.
app.conf.beat_schedule = {
    # Re-queue notifications still undelivered (e.g. queued while Redis was down).
    "notification-sweep": {
        "task": "sso_apps.tasks.notification_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Resume bulk-deletion jobs whose task was lost (publish failed, worker gone).
    "application-deletion-job-sweep": {
        "task": "sso_apps.tasks.application_deletion_job_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Forget SAML request IDs once they are too old to be replayed anyway.
    "saml-seen-requests-purge": {
        "task": "sso_apps.tasks.saml_seen_requests_purge",
        "schedule": 600.0,
        "options": {"expires": 590},
    },
    # Forget Single Logout records that can no longer match a live session or answer.
    "saml-logout-records-purge": {
        "task": "sso_apps.tasks.saml_logout_records_purge",
        "schedule": 3600.0,
        "options": {"expires": 3590},
    },
    # Warn Administrators about IdP certificates expiring in 60/30/7 days or 24 hours.
    "certificate-expiry-warn": {
        "task": "sso_apps.tasks.certificate_expiry_warn",
        "schedule": crontab(hour=6, minute=0),
        "options": {"expires": 6 * 3600},
    },
}


class BeatScheduler(beat.PersistentScheduler):
    """Celery's file-backed beat schedule, creating its folder (git-ignored var/) first."""

    def setup_schedule(self):
        Path(self.schedule_filename).parent.mkdir(parents=True, exist_ok=True)
        super().setup_schedule()
