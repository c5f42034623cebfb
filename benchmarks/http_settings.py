"""Tessera's settings for the HTTP benchmark's servers: production-like, on throwaway stores.

The test settings' throwaway secrets and static handling, with what production has and
the tests drop: the real password hashers, Redis for cache and sessions, DEBUG off.
Secrets and stores come from the environment the benchmark sets for its servers.
"""

from portal.settings.base import PASSWORD_HASHERS as PRODUCTION_HASHERS
from portal.settings.base import REDIS_URL
from portal.settings.test import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = PRODUCTION_HASHERS
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tessera",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
