"""Fetching SP metadata from its URL against real local servers: TLS, limits, redirects."""

import time

import pytest

from sso_apps.saml.sp_metadata_fetch import FetchLimits, SpMetadataFetchError, fetch_sp_metadata
from sso_apps.tests.metadata_server import Route, tls_files

DOCUMENT = b"<md:EntityDescriptor xmlns:md='urn:oasis:names:tc:SAML:2.0:metadata'/>"


def _limits(server, **options) -> FetchLimits:
    # The local servers listen on 127.0.0.1, which only a test may fetch from.
    return FetchLimits(ca_file=server.ca_file, allow_private_addresses=True, **options)


def test_document_is_fetched_over_https_with_the_trusted_ca(metadata_https_server):
    metadata_https_server.routes["/metadata"] = Route(body=DOCUMENT)

    body = fetch_sp_metadata(
        metadata_https_server.url("/metadata"), limits=_limits(metadata_https_server)
    )

    assert body == DOCUMENT
    assert metadata_https_server.hits == ["/metadata"]


def test_http_url_is_refused_before_any_request(metadata_http_server):
    metadata_http_server.routes["/metadata"] = Route(body=DOCUMENT)

    with pytest.raises(SpMetadataFetchError, match="uses http://"):
        fetch_sp_metadata(metadata_http_server.url("/metadata"), limits=FetchLimits())

    assert metadata_http_server.hits == []


def test_http_url_is_fetched_when_the_app_allows_http_sp_urls(metadata_http_server):
    metadata_http_server.routes["/metadata"] = Route(body=DOCUMENT)

    body = fetch_sp_metadata(
        metadata_http_server.url("/metadata"),
        limits=FetchLimits(allow_http=True, allow_private_addresses=True),
    )

    assert body == DOCUMENT


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/metadata.xml"])
def test_other_schemes_are_refused(url):
    with pytest.raises(SpMetadataFetchError, match="must start with https://"):
        fetch_sp_metadata(url, limits=FetchLimits(allow_http=True))


def test_a_404_is_reported_with_its_status(metadata_https_server):
    with pytest.raises(SpMetadataFetchError, match="answered HTTP 404"):
        fetch_sp_metadata(
            metadata_https_server.url("/missing"), limits=_limits(metadata_https_server)
        )


@pytest.mark.parametrize("send_length", [True, False], ids=["declared", "streamed"])
def test_a_document_over_the_size_cap_is_refused(metadata_https_server, send_length):
    metadata_https_server.routes["/big"] = Route(body=b"x" * 5000, send_length=send_length)

    with pytest.raises(SpMetadataFetchError, match="larger than 4096 bytes"):
        fetch_sp_metadata(
            metadata_https_server.url("/big"),
            limits=_limits(metadata_https_server, max_bytes=4096),
        )


def test_a_server_that_does_not_answer_times_out(metadata_https_server):
    metadata_https_server.routes["/slow"] = Route(body=DOCUMENT, delay_seconds=3)
    started = time.monotonic()

    with pytest.raises(SpMetadataFetchError, match="did not answer in time"):
        fetch_sp_metadata(
            metadata_https_server.url("/slow"),
            limits=_limits(metadata_https_server, timeout_seconds=0.4),
        )

    assert time.monotonic() - started < 2.5


def test_a_server_trickling_its_body_hits_the_total_time_cap(metadata_https_server):
    # Each byte comes well inside the read timeout; only the total cap can stop it.
    metadata_https_server.routes["/trickle"] = Route(
        body=DOCUMENT, trickle_seconds=0.05, send_length=False
    )
    started = time.monotonic()

    with pytest.raises(SpMetadataFetchError, match="did not answer in time"):
        fetch_sp_metadata(
            metadata_https_server.url("/trickle"),
            limits=_limits(metadata_https_server, timeout_seconds=1, total_seconds=0.6),
        )

    assert time.monotonic() - started < 2.5


def test_a_redirect_to_http_is_refused_even_when_http_is_allowed(
    metadata_https_server, metadata_http_server
):
    metadata_http_server.routes["/metadata"] = Route(body=DOCUMENT)
    metadata_https_server.routes["/moved"] = Route(
        status=302, location=metadata_http_server.url("/metadata")
    )

    with pytest.raises(SpMetadataFetchError, match="redirects to a refused URL"):
        fetch_sp_metadata(
            metadata_https_server.url("/moved"),
            limits=_limits(metadata_https_server, allow_http=True),
        )

    assert metadata_http_server.hits == []


def test_a_redirect_to_https_is_followed(metadata_https_server):
    metadata_https_server.routes["/metadata"] = Route(body=DOCUMENT)
    metadata_https_server.routes["/moved"] = Route(
        status=301, location=metadata_https_server.url("/metadata")
    )

    body = fetch_sp_metadata(
        metadata_https_server.url("/moved"), limits=_limits(metadata_https_server)
    )

    assert body == DOCUMENT
    assert metadata_https_server.hits == ["/moved", "/metadata"]


def test_a_redirect_loop_stops(metadata_https_server):
    metadata_https_server.routes["/a"] = Route(status=302, location=metadata_https_server.url("/b"))
    metadata_https_server.routes["/b"] = Route(status=302, location=metadata_https_server.url("/a"))

    with pytest.raises(SpMetadataFetchError, match="HTTP 30"):
        fetch_sp_metadata(metadata_https_server.url("/a"), limits=_limits(metadata_https_server))

    assert len(metadata_https_server.hits) <= 4


def test_a_certificate_from_an_untrusted_ca_is_refused(untrusted_https_server, tmp_path):
    untrusted_https_server.routes["/metadata"] = Route(body=DOCUMENT)
    trusted_ca = tls_files(tmp_path / "trusted").ca_file

    with pytest.raises(SpMetadataFetchError, match="certificate could not be verified"):
        fetch_sp_metadata(
            untrusted_https_server.url("/metadata"),
            limits=FetchLimits(ca_file=trusted_ca, allow_private_addresses=True),
        )

    assert untrusted_https_server.hits == []


def test_the_system_cas_do_not_trust_the_test_ca(metadata_https_server):
    # Without the test-only CA file the local certificate is refused: no bypass is built in.
    metadata_https_server.routes["/metadata"] = Route(body=DOCUMENT)

    with pytest.raises(SpMetadataFetchError, match="certificate could not be verified"):
        fetch_sp_metadata(
            metadata_https_server.url("/metadata"),
            limits=FetchLimits(allow_private_addresses=True),
        )


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_and_private_addresses_are_refused_by_default(metadata_https_server, host):
    metadata_https_server.routes["/metadata"] = Route(body=DOCUMENT)
    url = metadata_https_server.url("/metadata").replace("127.0.0.1", host)

    with pytest.raises(SpMetadataFetchError, match="loopback, private or link-local address"):
        fetch_sp_metadata(url, limits=FetchLimits(ca_file=metadata_https_server.ca_file))

    # Refused on the connected socket, before TLS and before any request was sent.
    assert metadata_https_server.hits == []
