"""The Redis cache treats an unreachable Redis as an empty cache; sessions live on in the DB."""

import os

import pytest
import redis
from django.contrib.auth import SESSION_KEY
from django.core.cache import caches
from django.urls import reverse

from portal.cache import DegradingRedisCache
from portal.testing.processes import free_port

SHARED_REDIS_URL = os.environ.get("TESSERA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _cache(location: str, **options) -> DegradingRedisCache:
    return DegradingRedisCache(
        location,
        {
            "KEY_PREFIX": "tessera-test-degrading",
            "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.3, **options},
        },
    )


@pytest.fixture
def dead_redis_url():
    # A port nobody listens on: bound once to find it free, then released.
    return f"redis://127.0.0.1:{free_port()}/0"


@pytest.fixture
def live_redis_url():
    client = redis.Redis.from_url(SHARED_REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {SHARED_REDIS_URL} is not reachable: {error}")
        pytest.skip(f"Redis at {SHARED_REDIS_URL} is not reachable: {error}")
    return SHARED_REDIS_URL


def test_every_call_on_an_unreachable_redis_answers_as_a_miss(dead_redis_url, caplog):
    cache = _cache(dead_redis_url)

    assert cache.get("k", "fallback") == "fallback"
    cache.set("k", "v")
    assert cache.add("k", "v") is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.has_key("k") is False
    assert cache.delete("k") is False
    cache.delete_many(["a"])
    assert cache.touch("k") is False
    assert cache.get_or_set("k", "computed") == "computed"
    with pytest.raises(ValueError):
        cache.incr("k")
    assert cache.is_degraded
    # One error line for the outage, not one per call.
    assert [r.message for r in caplog.records if r.name == "portal.cache"][0].startswith(
        "Redis cache unreachable during get"
    )
    assert len([r for r in caplog.records if r.name == "portal.cache"]) == 1


def test_the_cache_uses_redis_again_once_it_answers(live_redis_url, caplog):
    cache = _cache(live_redis_url, retry_after_seconds=0)
    healthy = redis.Redis.from_url(live_redis_url)
    cache._breaker.trip()  # as after a failure a moment ago

    cache.set("k", "v", 30)

    assert cache.get("k") == "v"
    assert healthy.exists(cache.make_key("k"))
    assert not cache.is_degraded
    assert [r.message for r in caplog.records if r.name == "portal.cache"] == [
        "Redis cache answers again after set."
    ]
    cache.delete("k")


def test_cache_calls_share_one_redis_client_per_pool(live_redis_url, monkeypatch):
    # Django builds a redis.Redis per call (portal.cache.ReusedClientRedisCacheClient).
    built = []
    original = redis.Redis.__init__

    def counting_init(self, *args, **kwargs):
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting_init)
    cache = _cache(live_redis_url)
    for n in range(20):
        cache.set(f"shared-{n}", n)
        assert cache.get(f"shared-{n}") == n
    cache.delete_many([f"shared-{n}" for n in range(20)])

    assert len(built) == 1


def test_while_redis_is_down_the_breaker_skips_it_without_waiting(dead_redis_url, monkeypatch):
    cache = _cache(dead_redis_url, retry_after_seconds=60)
    cache.get("k")
    calls = []
    monkeypatch.setattr(type(cache._cache), "get", lambda *a: calls.append(a))

    assert cache.get("k", "miss") == "miss"
    assert calls == []


def test_sign_in_works_and_lasts_while_the_session_cache_is_unreachable(
    client, settings, user_factory, password, dead_redis_url
):
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.DegradingRedisCache",
            "LOCATION": dead_redis_url,
            "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.3},
        }
    }
    settings.SESSION_ENGINE = "portal.session_store"
    user = user_factory(email="ada@example.com")

    response = client.post(reverse("console:login"), {"email": user.email, "password": password})

    assert response.status_code == 302
    assert client.get(reverse("console:home")).status_code == 200
    assert client.session[SESSION_KEY] == str(user.pk)


def test_a_session_saved_while_redis_was_down_is_read_from_the_database_when_it_returns(
    client, settings, user_factory, password, dead_redis_url, live_redis_url
):
    cache_settings = {
        "BACKEND": "portal.cache.DegradingRedisCache",
        "KEY_PREFIX": "tessera-test-sessions",
        "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.3},
    }
    settings.SESSION_ENGINE = "portal.session_store"
    settings.CACHES = {"default": {**cache_settings, "LOCATION": dead_redis_url}}
    user = user_factory(email="ada@example.com")
    client.post(reverse("console:login"), {"email": user.email, "password": password})

    settings.CACHES = {"default": {**cache_settings, "LOCATION": live_redis_url}}

    assert client.get(reverse("console:home")).status_code == 200
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    cached = caches["default"].get("django.contrib.sessions.cached_db" + session_key)
    assert cached[SESSION_KEY] == str(user.pk)
    caches["default"].delete("django.contrib.sessions.cached_db" + session_key)


def test_the_cached_copy_of_a_session_expires_after_the_cap(settings, db, live_redis_url):
    from portal.session_store import SessionStore

    settings.CACHES = {
        "default": {"BACKEND": "portal.cache.DegradingRedisCache", "LOCATION": live_redis_url}
    }
    settings.SESSION_CACHE_MAX_AGE_SECONDS = 120
    store = SessionStore()
    store["k"] = "v"
    store.save()

    ttl = redis.Redis.from_url(live_redis_url).ttl(caches["default"].make_key(store.cache_key))

    assert 100 < ttl <= 120
    assert store.get_expiry_age() == settings.SESSION_COOKIE_AGE
    store.delete()
