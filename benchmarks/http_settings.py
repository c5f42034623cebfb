"""Tessera's settings for the benchmarks: production's, on throwaway stores.

The test settings' throwaway secrets and static handling, with what production has and
the tests drop: the real password hashers, and with REDIS_URL production's Redis cache
and `cached_db` sessions (portal.session_store), DEBUG off. Secrets and stores come from
the environment the benchmark sets, and production's JSON log lines (the readable console
format costs about twice as much per line). Used by the HTTP servers and the in-process SSO.
"""

from portal.settings.base import CACHES as PRODUCTION_CACHES
from portal.settings.base import PASSWORD_HASHERS as PRODUCTION_HASHERS
from portal.settings.base import REDIS_URL
from portal.settings.base import SESSION_ENGINE as PRODUCTION_SESSION_ENGINE
from portal.settings.logging import TESSERA_LOG_LEVEL, logging_config
from portal.settings.test import *  # noqa: F403

LOGGING = logging_config("json", TESSERA_LOG_LEVEL)

DEBUG = False
PASSWORD_HASHERS = PRODUCTION_HASHERS
if REDIS_URL:
    CACHES = PRODUCTION_CACHES
    SESSION_ENGINE = PRODUCTION_SESSION_ENGINE
