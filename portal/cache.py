"""A Redis cache that degrades to a miss while Redis is unreachable, instead of raising.

Django's RedisCache raises `redis.exceptions.ConnectionError` from every call while Redis
is down, and the session middleware saving a session (for instance the pending
AuthnRequest) turned every SSO request into a 500 (issue 14). Nothing we keep in the
cache is the only copy: sessions are `cached_db` (PostgreSQL holds them), request IDs and
axes' counters live in the database. So an unreachable Redis is treated as an empty cache
that forgets every write, and each failure is logged.

NOTE: a subclass of Django's own backend, not django-redis with IGNORE_EXCEPTIONS: it is
a few lines on top of what Django ships, needs no new dependency, and keeps Django's
client (and its `cached_db` behaviour) exactly as tested upstream.
"""

import logging
import threading
import time

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger("portal.cache")

# How long a process leaves Redis alone after a failure before trying it again. Without
# it, every cache call of every request would wait for its own connect timeout.
DEFAULT_RETRY_AFTER_SECONDS = 5.0


class _Breaker:
    """Remember, per process, that Redis just failed, so calls skip it for a while.

    This is only a shortcut for this process: nothing another node needs is kept here.
    """

    def __init__(self, retry_after: float):
        self.retry_after = retry_after
        self._open_until = 0.0
        self._failed = False
        self._lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self) -> bool:
        """Open the breaker; return True if it was closed (the first failure of an outage)."""
        with self._lock:
            was_closed = not self.is_open()
            self._open_until = time.monotonic() + self.retry_after
            self._failed = True
            return was_closed

    def recovered(self) -> bool:
        """Return True once after the first success that follows a failure."""
        if not self._failed:
            return False
        with self._lock:
            was_failed, self._failed = self._failed, False
            return was_failed


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one redis.Redis per connection pool.

    NOTE: upstream defect: RedisCacheClient.get_client builds a new redis.Redis for every
    cache call, and redis-py fills a dict of about 170 response callbacks in each one:
    0.06 ms per call here, more than a third of the GET it wraps. A redis.Redis is safe to
    share between threads (each command takes a connection from the pool).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, redis.Redis] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            # Two threads may both build one; either is as good, and the pool is the same.
            client = self._clients.setdefault(id(pool), super().get_client(key, write=write))
        return client


class DegradingRedisCache(RedisCache):
    """RedisCache whose calls log and answer as a miss (reads) or do nothing (writes) on error.

    OPTIONS take Django's RedisCache options (socket timeouts go to redis-py's pool) plus
    `retry_after_seconds`.
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        retry_after = float(options.pop("retry_after_seconds", DEFAULT_RETRY_AFTER_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedClientRedisCacheClient
        self._breaker = _Breaker(retry_after)

    def _guard(self, operation: str, call, fallback):
        if self._breaker.is_open():
            return fallback
        try:
            result = call()
        except redis.RedisError as error:
            if self._breaker.trip():
                logger.error(
                    "Redis cache unreachable during %s (%s: %s); treating the cache as empty "
                    "for %.0f s at a time until it answers again.",
                    operation,
                    type(error).__name__,
                    error,
                    self._breaker.retry_after,
                )
            return fallback
        if self._breaker.recovered():
            logger.warning("Redis cache answers again after %s.", operation)
        return result

    @property
    def is_degraded(self) -> bool:
        """True while this process is skipping Redis after a failure (for health checks)."""
        return self._breaker.is_open()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # False: "not added", so a caller using add() as a lock does not believe it holds one.
        return self._guard(
            "add", lambda: super(DegradingRedisCache, self).add(key, value, timeout, version), False
        )

    def get(self, key, default=None, version=None):
        return self._guard(
            "get", lambda: super(DegradingRedisCache, self).get(key, default, version), default
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guard(
            "set", lambda: super(DegradingRedisCache, self).set(key, value, timeout, version), None
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            "touch", lambda: super(DegradingRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key, version=None):
        return self._guard(
            "delete", lambda: super(DegradingRedisCache, self).delete(key, version), False
        )

    def get_many(self, keys, version=None):
        return self._guard(
            "get_many", lambda: super(DegradingRedisCache, self).get_many(keys, version), {}
        )

    def has_key(self, key, version=None):
        return self._guard(
            "has_key", lambda: super(DegradingRedisCache, self).has_key(key, version), False
        )

    def incr(self, key, delta=1, version=None):
        # A miss is what incr() reports for a missing key; callers already handle it.
        def call():
            return super(DegradingRedisCache, self).incr(key, delta, version)

        result = self._guard("incr", call, None)
        if result is None:
            raise ValueError(f"Key '{key}' not found (the Redis cache is unreachable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Report every key as not stored, as the cache API does for failed keys.
        return self._guard(
            "set_many",
            lambda: super(DegradingRedisCache, self).set_many(data, timeout, version),
            list(data),
        )

    def delete_many(self, keys, version=None):
        self._guard(
            "delete_many", lambda: super(DegradingRedisCache, self).delete_many(keys, version), None
        )

    def clear(self):
        return self._guard("clear", lambda: super(DegradingRedisCache, self).clear(), False)
