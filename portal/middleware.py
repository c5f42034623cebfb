"""Believe X-Forwarded-* headers only when a configured reverse proxy sent them."""

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_FOR",
    # Not a forwarding header, but only a proxy may name the request (portal.request_log).
    "HTTP_X_REQUEST_ID",
)


def trusted_networks(entries) -> tuple:
    """Return the networks of TESSERA_TRUSTED_PROXIES, refusing entries that are no IP/CIDR."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"TESSERA_TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR."
            ) from error
    return tuple(networks)


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


class TrustedProxyMiddleware:
    """Drop forwarded headers from untrusted peers; behind trusted ones, find the client.

    SECURE_PROXY_SSL_HEADER makes Django believe X-Forwarded-Proto from anyone who can
    reach the app server, so a client talking plain HTTP straight to it could claim https.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.networks = trusted_networks(settings.TESSERA_TRUSTED_PROXIES)

    def __call__(self, request):
        peer = _address(request.META.get("REMOTE_ADDR", ""))
        if peer is None or not self._trusted(peer):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        else:
            client = self._client(peer, request.META.get("HTTP_X_FORWARDED_FOR", ""))
            request.META["REMOTE_ADDR"] = str(client)
        return self.get_response(request)

    def _trusted(self, address) -> bool:
        return any(address in network for network in self.networks)

    def _client(self, peer, forwarded_for: str):
        """Return the nearest hop, walking X-Forwarded-For from the right, no proxy vouched for.

        Each trusted proxy appends the address it received from, so entries right of the
        first untrusted one are proxies; anything left of it the client could have forged.
        """
        client = peer
        for hop in reversed([part for part in forwarded_for.split(",") if part.strip()]):
            address = _address(hop)
            if address is None:
                # Garbage in the chain: keep the last hop a trusted proxy vouched for.
                break
            client = address
            if not self._trusted(address):
                break
        return client
