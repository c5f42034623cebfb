"""Tests: fast hashing, eager Celery, throwaway secrets and media."""

import tempfile

from django.core.management.utils import get_random_secret_key

from portal.settings.base import *  # noqa: F403
from portal.settings.env import env

DEBUG = False
# Random per run unless a test harness passes one to the processes it starts.
SECRET_KEY = env.str("SECRET_KEY", default="") or get_random_secret_key()
SSO_APPS_KEY_ENCRYPTION_SECRET = (
    env.str("SSO_APPS_KEY_ENCRYPTION_SECRET", default="") or get_random_secret_key()
)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Celery runs eagerly, in-process, unless a test harness starts a real worker with
# TESSERA_TEST_CELERY_EAGER=0 and REDIS_URL: then portal.settings.celery applies as is.
if env.bool("TESSERA_TEST_CELERY_EAGER", default=True):
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_BROKER_URL = "memory://localhost/"
    CELERY_RESULT_BACKEND = None
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="tessera-media-")
# Local memory and database sessions, unless a harness starts app servers that must share
# Redis as production does (the multi-node tests): then base.py's Redis settings apply.
if not (REDIS_URL and env.bool("TESSERA_TEST_REDIS_CACHE", default=False)):  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from the source folders; tests never run collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
