"""Fetch an SP's metadata document from the URL an administrator gave, within limits.

Plain Python (stdlib urllib, no Django, no ORM): the caller passes the limits and parses
the bytes with parse_sp_metadata, the same import as pasted metadata. The URL is hostile
until proven otherwise, so every step is capped: the scheme (the SP URL rule), redirects
(https:// only, a few hops), the TLS certificate (always verified), the time to connect
and to each read, the whole transfer, and the size, which is counted while streaming.
"""

import http.client
import ipaddress
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from sso_apps.saml.errors import SpMetadataError
from sso_apps.saml.sp_urls import sp_url_problem

__all__ = ["FetchLimits", "SpMetadataFetchError", "fetch_sp_metadata"]

_CHUNK_BYTES = 64 * 1024
_USER_AGENT = "Tessera-IdP SP-metadata-fetch"


class SpMetadataFetchError(SpMetadataError):
    """Signal SP metadata that could not be fetched from its URL (the reason says why)."""


@dataclass(frozen=True)
class FetchLimits:
    """How far a metadata fetch may go."""

    max_bytes: int = 1024 * 1024
    # Applies to connecting and to each read; a server that stops answering fails here.
    timeout_seconds: float = 10.0
    # The whole transfer: a server that trickles a byte at a time fails here.
    total_seconds: float = 30.0
    # PEM bundle of the CAs to trust instead of the system's (tests use a local CA).
    ca_file: str | None = None
    # http:// for the first URL only, as the app's "Allow http:// SP URLs" allows.
    allow_http: bool = False
    # Connecting to loopback, private, link-local (cloud metadata) or other non-global
    # addresses is refused unless this is set: the admin's URL must not become a way to
    # probe the IdP's own network. Tests and local development set it.
    allow_private_addresses: bool = False
    max_redirects: int = 3


def fetch_sp_metadata(url: str, *, limits: FetchLimits) -> bytes:
    """Return the document at `url`, or raise SpMetadataFetchError saying why not."""
    problem = sp_url_problem(url, allow_http=limits.allow_http)
    if problem:
        raise SpMetadataFetchError(f"The SP metadata URL is refused: {problem}")
    opener = urllib.request.build_opener(
        _GuardedHttps(context=_tls_context(limits.ca_file), limits=limits),
        _GuardedHttp(limits=limits),
        _HttpsOnlyRedirects(limits.max_redirects),
    )
    request = urllib.request.Request(  # noqa: S310 - the scheme was checked above
        url,
        headers={
            "User-Agent": _USER_AGENT,
            "Accept": "application/samlmetadata+xml, application/xml;q=0.9, text/xml;q=0.8",
            # A compressed body could expand far past the size cap; ask for none.
            "Accept-Encoding": "identity",
        },
    )
    deadline = time.monotonic() + limits.total_seconds
    try:
        with opener.open(request, timeout=limits.timeout_seconds) as response:
            return _read_capped(response, limits=limits, deadline=deadline)
    except SpMetadataFetchError:
        raise
    except urllib.error.HTTPError as error:
        raise SpMetadataFetchError(
            f"The SP metadata URL answered HTTP {error.code} {error.reason}."
        ) from None
    except urllib.error.URLError as error:
        raise SpMetadataFetchError(_connection_reason(error.reason, limits)) from None
    except TimeoutError:
        raise SpMetadataFetchError(_timeout_reason(limits)) from None
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise SpMetadataFetchError(
            f"The SP metadata could not be fetched: {type(error).__name__}: {error}"
        ) from None


def _tls_context(ca_file: str | None) -> ssl.SSLContext:
    # create_default_context verifies the chain and the host name; TLS 1.2 is the floor.
    context = ssl.create_default_context(cafile=ca_file or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _guarded_connection(connection_class, limits: FetchLimits):
    """Return a connection factory that checks the address it really connected to."""

    def make(host, **kwargs):
        connection = connection_class(host, **kwargs)
        create = connection._create_connection

        def create_checked(address, *args, **options):
            sock = create(address, *args, **options)
            # NOTE: checked on the connected socket, not on a DNS answer, so a name that
            # resolves differently a moment later (DNS rebinding) cannot slip past. Through
            # a proxy (a CONNECT tunnel) the peer is the proxy, which the operator chose.
            if not limits.allow_private_addresses and connection._tunnel_host is None:
                peer = _non_global_peer(sock)
                if peer:
                    sock.close()
                    raise SpMetadataFetchError(
                        f"The SP metadata URL leads to {peer}, a loopback, private or "
                        "link-local address; only public addresses are fetched."
                    )
            return sock

        connection._create_connection = create_checked
        return connection

    return make


def _non_global_peer(sock) -> str | None:
    address = ipaddress.ip_address(sock.getpeername()[0].split("%")[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return None if address.is_global else str(address)


class _GuardedHttps(urllib.request.HTTPSHandler):
    def __init__(self, *, context: ssl.SSLContext, limits: FetchLimits):
        super().__init__(context=context)
        self._make = _guarded_connection(http.client.HTTPSConnection, limits)

    def https_open(self, req):
        return self.do_open(self._make, req, context=self._context)


class _GuardedHttp(urllib.request.HTTPHandler):
    def __init__(self, *, limits: FetchLimits):
        super().__init__()
        self._make = _guarded_connection(http.client.HTTPConnection, limits)

    def http_open(self, req):
        return self.do_open(self._make, req)


class _HttpsOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to https://, and only a few times."""

    def __init__(self, max_redirects: int):
        super().__init__()
        self.max_redirections = max_redirects
        self.max_repeats = 1

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        # NOTE: even with "Allow http://" ticked a redirect may not downgrade to http://:
        # the admin vouched for the URL they typed, not for wherever it sends us.
        problem = sp_url_problem(newurl, allow_http=False)
        if problem:
            raise SpMetadataFetchError(f"The SP metadata URL redirects to a refused URL: {problem}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _read_capped(response, *, limits: FetchLimits, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > limits.max_bytes:
        raise SpMetadataFetchError(_too_large_reason(limits))
    chunks: list[bytes] = []
    received = 0
    # NOTE: read1, not read: read(n) keeps reading until it has n bytes, so a server
    # sending a byte at a time would never let the deadline below be checked.
    read = getattr(response, "read1", response.read)
    while True:
        if time.monotonic() > deadline:
            raise SpMetadataFetchError(_timeout_reason(limits))
        chunk = read(_CHUNK_BYTES)
        if not chunk:
            break
        received += len(chunk)
        # Counted while streaming: Content-Length may be missing or lie.
        if received > limits.max_bytes:
            raise SpMetadataFetchError(_too_large_reason(limits))
        chunks.append(chunk)
    body = b"".join(chunks)
    if not body.strip():
        raise SpMetadataFetchError("The SP metadata URL answered with an empty document.")
    return body


def _connection_reason(reason, limits: FetchLimits) -> str:
    if isinstance(reason, ssl.SSLCertVerificationError):
        return (
            "The SP metadata server's TLS certificate could not be verified: "
            f"{reason.verify_message or reason}."
        )
    if isinstance(reason, ssl.SSLError):
        return f"The TLS connection to the SP metadata server failed: {reason}."
    if isinstance(reason, TimeoutError):
        return _timeout_reason(limits)
    return f"The SP metadata server could not be reached: {reason}."


def _timeout_reason(limits: FetchLimits) -> str:
    return (
        "The SP metadata server did not answer in time (limits: "
        f"{limits.timeout_seconds:g} s to connect or read, {limits.total_seconds:g} s in all)."
    )


def _too_large_reason(limits: FetchLimits) -> str:
    return f"The SP metadata document is larger than {limits.max_bytes} bytes."
