"""Settings of the Celery worker processes that the integration tests start.

The test settings (with TESSERA_TEST_CELERY_EAGER=0 and REDIS_URL from the fixture, so
Celery uses the real broker), except that email goes to files in TESSERA_TEST_EMAIL_DIR:
the test counts there what the worker really sent.
"""

import os

from portal.settings.test import *  # noqa: F403

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": os.environ["TESSERA_TEST_EMAIL_DIR"]},
    }
}
