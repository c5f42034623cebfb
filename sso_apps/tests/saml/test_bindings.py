import base64
import re
import time
import tracemalloc
import zlib
from urllib.parse import quote

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from sso_apps.saml import constants
from sso_apps.saml.bindings import (
    MAX_MESSAGE_BYTES,
    decode_post,
    decode_redirect,
    inflate_capped,
    sign_redirect,
    verify_redirect_signature,
)
from sso_apps.saml.errors import SamlBindingError, SamlSignatureError

LOGOUT_REQUEST = (
    b'<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"'
    b' xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_lr1" Version="2.0"'
    b' IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>https://sp.example.test/</saml:Issuer>'
    b"<saml:NameID>alice@example.test</saml:NameID></samlp:LogoutRequest>"
)


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(level=9, wbits=-15)
    return compressor.compress(data) + compressor.flush()


def _lower_escapes(encoded: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda match: match.group().lower(), encoded)


def _zero_bomb(size: int) -> bytes:
    compressor = zlib.compressobj(level=9, wbits=-15)
    chunk = bytes(1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join(parts) + compressor.flush()


@pytest.mark.parametrize(
    "sig_alg", [constants.RSA_SHA256, constants.RSA_SHA384, constants.RSA_SHA512]
)
def test_signed_redirect_round_trips_and_verifies(key_pair_factory, sig_alg):
    pair = key_pair_factory("sp.example.test")
    query = sign_redirect(
        xml=LOGOUT_REQUEST,
        private_key_pem=pair.private_key_pem,
        parameter="SAMLRequest",
        relay_state="/apps/wiki?tab=1 2",
        sig_alg=sig_alg,
    )

    message = decode_redirect(query)

    assert message.parameter == "SAMLRequest"
    assert message.xml == LOGOUT_REQUEST
    assert message.relay_state == "/apps/wiki?tab=1 2"
    assert message.sig_alg == sig_alg
    verify_redirect_signature(message, certificate_pem=pair.certificate_pem)


def test_redirect_signature_without_relay_state_verifies(key_pair_factory):
    pair = key_pair_factory("sp.example.test")
    query = sign_redirect(xml=LOGOUT_REQUEST, private_key_pem=pair.private_key_pem)

    message = decode_redirect(query)

    assert message.relay_state is None and message.raw_relay_state is None
    verify_redirect_signature(message, certificate_pem=pair.certificate_pem)


def test_tampered_relay_state_fails_verification(key_pair_factory):
    pair = key_pair_factory("sp.example.test")
    query = sign_redirect(
        xml=LOGOUT_REQUEST, private_key_pem=pair.private_key_pem, relay_state="/home"
    )
    tampered = query.replace("RelayState=%2Fhome", "RelayState=https%3A%2F%2Fevil.test")
    assert tampered != query

    with pytest.raises(SamlSignatureError, match="does not match"):
        verify_redirect_signature(decode_redirect(tampered), certificate_pem=pair.certificate_pem)


def test_dropped_relay_state_fails_verification(key_pair_factory):
    pair = key_pair_factory("sp.example.test")
    query = sign_redirect(
        xml=LOGOUT_REQUEST, private_key_pem=pair.private_key_pem, relay_state="/home"
    )
    stripped = "&".join(part for part in query.split("&") if not part.startswith("RelayState="))

    with pytest.raises(SamlSignatureError, match="does not match"):
        verify_redirect_signature(decode_redirect(stripped), certificate_pem=pair.certificate_pem)


def test_tampered_message_fails_verification(key_pair_factory):
    pair = key_pair_factory("sp.example.test")
    signed = decode_redirect(
        sign_redirect(xml=LOGOUT_REQUEST, private_key_pem=pair.private_key_pem)
    )
    forged = sign_redirect(
        xml=LOGOUT_REQUEST.replace(b"alice", b"admin"), private_key_pem=pair.private_key_pem
    )
    forged_message = forged.split("&", 1)[0]
    spliced = f"{forged_message}&SigAlg={signed.raw_sig_alg}&Signature={signed.raw_signature}"

    with pytest.raises(SamlSignatureError, match="does not match"):
        verify_redirect_signature(decode_redirect(spliced), certificate_pem=pair.certificate_pem)


def test_signature_from_another_key_fails(key_pair_factory):
    signer = key_pair_factory("sp.example.test")
    impostor = key_pair_factory("impostor.example.test")
    query = sign_redirect(xml=LOGOUT_REQUEST, private_key_pem=impostor.private_key_pem)

    with pytest.raises(SamlSignatureError, match="does not match"):
        verify_redirect_signature(decode_redirect(query), certificate_pem=signer.certificate_pem)


def test_missing_signature_is_reported(key_pair_factory):
    pair = key_pair_factory("sp.example.test")
    query = sign_redirect(xml=LOGOUT_REQUEST, private_key_pem=pair.private_key_pem)
    unsigned = query.split("&Signature=", 1)[0]

    with pytest.raises(SamlSignatureError, match="not signed"):
        verify_redirect_signature(decode_redirect(unsigned), certificate_pem=pair.certificate_pem)


def test_sha1_is_refused_unless_allowed(key_pair_factory):
    pair = key_pair_factory("sp.example.test")
    query = sign_redirect(
        xml=LOGOUT_REQUEST, private_key_pem=pair.private_key_pem, sig_alg=constants.RSA_SHA1
    )
    message = decode_redirect(query)

    with pytest.raises(SamlSignatureError, match="not accepted"):
        verify_redirect_signature(message, certificate_pem=pair.certificate_pem)
    verify_redirect_signature(message, certificate_pem=pair.certificate_pem, allow_sha1=True)


def test_unsupported_sig_alg_is_refused(key_pair_factory):
    pair = key_pair_factory("sp.example.test")
    query = sign_redirect(xml=LOGOUT_REQUEST, private_key_pem=pair.private_key_pem)
    dsa = quote("http://www.w3.org/2000/09/xmldsig#dsa-sha1", safe="")
    query = query.replace(f"SigAlg={quote(constants.RSA_SHA256, safe='')}", f"SigAlg={dsa}")

    with pytest.raises(SamlSignatureError, match="dsa-sha1"):
        verify_redirect_signature(decode_redirect(query), certificate_pem=pair.certificate_pem)


def test_signature_covers_raw_encoding_as_received(key_pair_factory):
    # A sender using lower-case percent escapes signs those exact octets; re-encoding the
    # decoded values (upper-case escapes) would make a valid signature fail.
    pair = key_pair_factory("sp.example.test")
    raw_message = _lower_escapes(
        quote(base64.b64encode(_deflate(LOGOUT_REQUEST)).decode(), safe="")
    )
    raw_relay = "%2fapps%2fwiki"
    raw_alg = _lower_escapes(quote(constants.RSA_SHA256, safe=""))
    assert "%2f" in raw_alg
    signed = f"SAMLRequest={raw_message}&RelayState={raw_relay}&SigAlg={raw_alg}".encode()
    key = serialization.load_pem_private_key(pair.private_key_pem.encode(), password=None)
    signature = key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
    query = signed.decode() + "&Signature=" + quote(base64.b64encode(signature).decode(), safe="")

    message = decode_redirect(query)

    assert message.relay_state == "/apps/wiki"
    verify_redirect_signature(message, certificate_pem=pair.certificate_pem)


def test_decode_redirect_rejects_bad_base64():
    with pytest.raises(SamlBindingError, match="not valid base64"):
        decode_redirect("SAMLRequest=%%%%not-base64!!")


def test_decode_redirect_rejects_non_deflate_payload():
    payload = quote(base64.b64encode(b"\xff" * 32).decode(), safe="")
    with pytest.raises(SamlBindingError, match="DEFLATE"):
        decode_redirect(f"SAMLRequest={payload}")


@pytest.mark.parametrize(
    "query",
    [
        "RelayState=x",
        "SAMLRequest=AAAA&SAMLResponse=AAAA",
    ],
)
def test_decode_redirect_needs_exactly_one_message(query):
    with pytest.raises(SamlBindingError, match="exactly one"):
        decode_redirect(query)


def test_decode_redirect_rejects_repeated_parameters(key_pair_factory):
    pair = key_pair_factory("sp.example.test")
    query = sign_redirect(xml=LOGOUT_REQUEST, private_key_pem=pair.private_key_pem)

    with pytest.raises(SamlBindingError, match="repeats the RelayState"):
        decode_redirect(query + "&RelayState=a&RelayState=b")


def test_inflate_round_trips_small_payload():
    assert inflate_capped(_deflate(LOGOUT_REQUEST)) == LOGOUT_REQUEST


def test_inflate_allows_exactly_the_cap_and_refuses_one_byte_more():
    data = b"a" * 1000

    assert inflate_capped(_deflate(data), max_bytes=1000) == data
    with pytest.raises(SamlBindingError, match="exceeds"):
        inflate_capped(_deflate(data + b"a"), max_bytes=1000)


def test_inflate_refuses_truncated_stream():
    with pytest.raises(SamlBindingError, match="truncated"):
        inflate_capped(_deflate(LOGOUT_REQUEST * 50)[:-10])


def test_kilobyte_payload_inflating_past_cap_is_refused():
    # DEFLATE tops out near 1:1032, so 1 KB of input expands to about 1 MB.
    bomb = _zero_bomb(1024 * 1024)
    assert len(bomb) <= 1100

    with pytest.raises(SamlBindingError, match="exceeds"):
        inflate_capped(bomb)


def test_hundred_megabyte_bomb_is_refused_fast_without_allocating_it():
    bomb = _zero_bomb(100 * 1024 * 1024)
    assert len(bomb) < 150 * 1024

    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(SamlBindingError, match="exceeds"):
            inflate_capped(bomb)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert elapsed < 0.5
    assert peak < 4 * MAX_MESSAGE_BYTES


def test_redirect_bomb_is_refused():
    bomb = quote(base64.b64encode(_zero_bomb(8 * 1024 * 1024)).decode(), safe="")

    with pytest.raises(SamlBindingError, match="exceeds"):
        decode_redirect(f"SAMLRequest={bomb}")


def test_decode_post_accepts_wrapped_base64():
    encoded = base64.encodebytes(LOGOUT_REQUEST).decode()
    assert "\n" in encoded

    assert decode_post(encoded) == LOGOUT_REQUEST


def test_decode_post_rejects_bad_base64():
    with pytest.raises(SamlBindingError, match="not valid base64"):
        decode_post("PHNhbWw+*")


def test_decode_post_rejects_oversize_message():
    # An XML-looking payload: anything else is read as DEFLATE data since issue 11.
    encoded = base64.b64encode(b"<" + b"x" * 2047).decode()

    assert decode_post(encoded, max_bytes=2048) == b"<" + b"x" * 2047
    with pytest.raises(SamlBindingError, match="exceeds 2047"):
        decode_post(encoded, max_bytes=2047)


# --- HTTP-POST messages DEFLATEd before base64 (node-saml / passport-saml) -------------


@pytest.mark.parametrize("prefix", [b"", b"\xef\xbb\xbf", b"\n  ", b"\xef\xbb\xbf\r\n"])
def test_decode_post_returns_raw_xml_as_is(prefix):
    xml = prefix + LOGOUT_REQUEST
    assert decode_post(base64.b64encode(xml).decode()) == xml


def test_decode_post_inflates_a_deflated_message():
    encoded = base64.b64encode(_deflate(LOGOUT_REQUEST)).decode()

    assert decode_post(encoded) == LOGOUT_REQUEST


def test_decode_post_inflates_up_to_the_cap_and_refuses_one_byte_more():
    data = b"<" + b"a" * 999
    assert decode_post(base64.b64encode(_deflate(data)).decode(), max_bytes=1000) == data
    with pytest.raises(SamlBindingError, match="exceeds"):
        decode_post(base64.b64encode(_deflate(data + b"a")).decode(), max_bytes=1000)


def test_decode_post_refuses_a_deflate_bomb_at_the_cap():
    bomb = base64.b64encode(_zero_bomb(8 * 1024 * 1024)).decode()
    assert len(bomb) < MAX_MESSAGE_BYTES

    with pytest.raises(SamlBindingError, match="inflates to more than"):
        decode_post(bomb)


@pytest.mark.parametrize("payload", [b"x" * 64, b"\x00\x01garbage", _deflate(LOGOUT_REQUEST)[:-8]])
def test_decode_post_refuses_what_is_neither_xml_nor_complete_deflate(payload):
    with pytest.raises(SamlBindingError, match="DEFLATE"):
        decode_post(base64.b64encode(payload).decode())
