"""Sessions in PostgreSQL with Redis as a cache in front (`cached_db`), copies kept short.

Django's `cached_db` store writes every session to the database and to the cache, and reads
the cache first. While Redis is unreachable (see portal.cache) reads fall through to the
database and cache writes are skipped, so nobody is signed out and no request fails.

NOTE: a write skipped during an outage can leave an older copy in Redis, if Redis kept its
data (a network partition rather than a restart): a session ended on one node during the
outage (sign-out, Single Logout) would still be found in the cache by another. The cached
copy therefore lives at most SESSION_CACHE_MAX_AGE_SECONDS (5 minutes by default), after
which the database is read again; this bounds how long such a stale copy can be believed.
"""

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore


class _CappedCache:
    """The session cache, with every entry's lifetime capped."""

    def __init__(self, cache, max_age: int):
        self._cache = cache
        self._max_age = max_age

    def set(self, key, value, timeout=None, **kwargs):
        timeout = self._max_age if timeout is None else min(timeout, self._max_age)
        return self._cache.set(key, value, timeout, **kwargs)

    async def aset(self, key, value, timeout=None, **kwargs):
        timeout = self._max_age if timeout is None else min(timeout, self._max_age)
        return await self._cache.aset(key, value, timeout, **kwargs)

    def __contains__(self, key):
        return key in self._cache

    def __getattr__(self, name):
        return getattr(self._cache, name)

    def __str__(self):
        return str(self._cache)


class SessionStore(CachedDbStore):
    """`cached_db` whose cache entries expire after SESSION_CACHE_MAX_AGE_SECONDS."""

    def __init__(self, session_key=None):
        super().__init__(session_key)
        # Only the cache's copy is capped; the cookie and the database row keep their age.
        self._cache = _CappedCache(self._cache, settings.SESSION_CACHE_MAX_AGE_SECONDS)
