"""X-Forwarded-* headers count only when a configured reverse proxy sent them."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from portal.middleware import TrustedProxyMiddleware

PROXIED = {
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_X_FORWARDED_HOST": "evil.example.net",
    "HTTP_X_FORWARDED_FOR": "203.0.113.7",
}


def _seen(settings, proxies, remote_addr, **meta):
    """Return the request the view behind TrustedProxyMiddleware gets."""
    settings.TESSERA_TRUSTED_PROXIES = proxies
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    seen = []
    middleware = TrustedProxyMiddleware(lambda request: seen.append(request))
    middleware(RequestFactory().get("/", REMOTE_ADDR=remote_addr, **meta))
    return seen[0]


@pytest.mark.parametrize("proxies", [[], ["10.0.0.1"], ["10.1.0.0/16"]])
def test_forwarded_headers_from_an_untrusted_address_are_dropped(settings, proxies):
    request = _seen(settings, proxies, "10.0.0.9", **PROXIED)
    assert not request.is_secure()
    assert not {"HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_FOR"} & set(
        request.META
    )
    assert request.META["REMOTE_ADDR"] == "10.0.0.9"


@pytest.mark.parametrize("proxies", [["10.0.0.9"], ["10.0.0.0/8"], ["192.0.2.1", " 10.0.0.9 "]])
def test_forwarded_headers_from_a_trusted_proxy_are_believed(settings, proxies):
    request = _seen(settings, proxies, "10.0.0.9", **PROXIED)
    assert request.is_secure()
    assert request.META["REMOTE_ADDR"] == "203.0.113.7"


@pytest.mark.parametrize(
    ("forwarded_for", "client"),
    [
        # The client may write anything left of what our proxies appended.
        ("1.1.1.1, 203.0.113.7", "203.0.113.7"),
        ("1.1.1.1, 203.0.113.7, 10.0.0.5", "203.0.113.7"),
        ("10.0.0.6, 10.0.0.5", "10.0.0.6"),
        ("", "10.0.0.9"),
        ("not-an-ip", "10.0.0.9"),
        ("203.0.113.7, not-an-ip, 10.0.0.5", "10.0.0.5"),
        ("2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_is_the_nearest_hop_no_trusted_proxy_vouches_for(
    settings, forwarded_for, client
):
    request = _seen(settings, ["10.0.0.0/8"], "10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert request.META["REMOTE_ADDR"] == client


def test_a_malformed_trusted_proxy_setting_stops_startup(settings):
    settings.TESSERA_TRUSTED_PROXIES = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match="TESSERA_TRUSTED_PROXIES"):
        TrustedProxyMiddleware(lambda request: None)


@pytest.mark.django_db
@pytest.mark.parametrize(("proxies", "status"), [([], 301), (["127.0.0.1"], 200)])
def test_ssl_redirect_ignores_a_forged_forwarded_proto(client, settings, proxies, status):
    settings.TESSERA_TRUSTED_PROXIES = proxies
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    # The test client's REMOTE_ADDR is 127.0.0.1.
    response = client.get(reverse("console:login"), HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == status


def test_proxy_middleware_runs_first():
    from django.conf import settings

    assert settings.MIDDLEWARE[0] == "portal.middleware.TrustedProxyMiddleware"


def test_a_malformed_trusted_proxy_variable_fails_the_system_check():
    from portal.tests.test_settings import _manage

    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        TESSERA_TRUSTED_PROXIES="10.0.0.0/8,proxy.internal",
    )
    assert result.returncode != 0
    assert "'proxy.internal' is not an IP address or CIDR" in result.stderr
