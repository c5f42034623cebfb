"""Decode, verify and sign SAML HTTP-Redirect and HTTP-POST binding messages."""

import base64
import binascii
import zlib
from dataclasses import dataclass
from urllib.parse import quote, unquote, unquote_plus

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from sso_apps.saml import key_cache
from sso_apps.saml.constants import RSA_SHA1, RSA_SHA256, RSA_SHA384, RSA_SHA512
from sso_apps.saml.errors import KeyPairError, SamlBindingError, SamlSignatureError

__all__ = [
    "MAX_MESSAGE_BYTES",
    "RedirectMessage",
    "decode_post",
    "decode_redirect",
    "inflate_capped",
    "relay_state_check",
    "sign_redirect",
    "verify_redirect_signature",
]

MAX_MESSAGE_BYTES = 256 * 1024
MESSAGE_PARAMETERS = ("SAMLRequest", "SAMLResponse")

_REDIRECT_HASHES: dict[str, hashes.HashAlgorithm] = {
    RSA_SHA256: hashes.SHA256(),
    RSA_SHA384: hashes.SHA384(),
    RSA_SHA512: hashes.SHA512(),
}
_SHA1_REDIRECT_HASHES: dict[str, hashes.HashAlgorithm] = {RSA_SHA1: hashes.SHA1()}  # noqa: S303
_BASE64_WHITESPACE = str.maketrans("", "", " \t\r\n")
# Base64 grows data by 4/3 and percent-encoding can triple '+', '/' and '='; four times the
# inflated cap is a generous upper bound for any honest compressed message.
_ENCODED_FACTOR = 4


@dataclass(frozen=True)
class RedirectMessage:
    """A decoded HTTP-Redirect message plus the raw query values its signature covers."""

    parameter: str
    xml: bytes
    relay_state: str | None
    sig_alg: str | None
    signature: bytes | None
    raw_message: str
    raw_relay_state: str | None
    raw_sig_alg: str | None
    raw_signature: str | None


def inflate_capped(data: bytes, *, max_bytes: int = MAX_MESSAGE_BYTES) -> bytes:
    """Inflate raw DEFLATE data, refusing output larger than max_bytes without producing it."""
    decompressor = zlib.decompressobj(wbits=-15)
    output = bytearray()
    pending = data
    try:
        while pending:
            # max_length bounds each step's output, so a bomb stops after max_bytes + 1 bytes
            # instead of expanding fully into memory.
            output += decompressor.decompress(pending, max_bytes + 1 - len(output))
            if len(output) > max_bytes:
                raise SamlBindingError(
                    f"The SAML message inflates to more than {max_bytes} bytes, which exceeds "
                    "the allowed size."
                )
            pending = decompressor.unconsumed_tail
    except zlib.error as exc:
        raise SamlBindingError("The SAML message is not valid DEFLATE data.") from exc
    if not decompressor.eof:
        raise SamlBindingError("The SAML message's DEFLATE data is truncated.")
    return bytes(output)


def decode_redirect(query_string: str, *, max_bytes: int = MAX_MESSAGE_BYTES) -> RedirectMessage:
    """Decode an HTTP-Redirect query string, keeping raw values for signature checks."""
    raw = _split_query(query_string)
    present = [name for name in MESSAGE_PARAMETERS if name in raw]
    if len(present) != 1:
        raise SamlBindingError(
            "The query string must carry exactly one SAMLRequest or SAMLResponse parameter."
        )
    parameter = present[0]
    raw_message = raw[parameter]
    if len(raw_message) > max_bytes * _ENCODED_FACTOR:
        raise SamlBindingError(f"The {parameter} parameter exceeds the allowed size.")
    # unquote, not unquote_plus: a literal '+' is base64, never an encoded space.
    compressed = _b64decode(unquote(raw_message), what=parameter)
    raw_signature = raw.get("Signature")
    signature = None
    if raw_signature is not None:
        signature = _b64decode(unquote(raw_signature), what="Signature")
    raw_relay_state = raw.get("RelayState")
    raw_sig_alg = raw.get("SigAlg")
    return RedirectMessage(
        parameter=parameter,
        xml=inflate_capped(compressed, max_bytes=max_bytes),
        relay_state=unquote_plus(raw_relay_state) if raw_relay_state is not None else None,
        sig_alg=unquote_plus(raw_sig_alg) if raw_sig_alg is not None else None,
        signature=signature,
        raw_message=raw_message,
        raw_relay_state=raw_relay_state,
        raw_sig_alg=raw_sig_alg,
        raw_signature=raw_signature,
    )


def verify_redirect_signature(
    message: RedirectMessage, *, certificate_pem: str, allow_sha1: bool = False
) -> None:
    """Verify a redirect message's query-string signature (SAML bindings 3.4.4.1) or raise."""
    if message.signature is None or message.raw_sig_alg is None or message.sig_alg is None:
        raise SamlSignatureError(
            "The redirect message is not signed (its Signature or SigAlg parameter is missing)."
        )
    accepted = dict(_REDIRECT_HASHES)
    if allow_sha1:
        accepted.update(_SHA1_REDIRECT_HASHES)
    digest = accepted.get(message.sig_alg)
    if digest is None:
        raise SamlSignatureError(f"The signature algorithm {message.sig_alg!r} is not accepted.")
    try:
        public_key = key_cache.rsa_public_key_from_certificate(
            certificate_pem.strip().encode("utf-8")
        )
    except KeyPairError as exc:
        raise SamlSignatureError(f"The verification certificate is unusable: {exc.reason}") from exc
    signed = _signed_octets(
        parameter=message.parameter,
        raw_message=message.raw_message,
        raw_relay_state=message.raw_relay_state,
        raw_sig_alg=message.raw_sig_alg,
    )
    try:
        public_key.verify(message.signature, signed, padding.PKCS1v15(), digest)
    except InvalidSignature as exc:
        raise SamlSignatureError(
            "The redirect signature does not match the message or the certificate."
        ) from exc


def decode_post(value: str, *, max_bytes: int = MAX_MESSAGE_BYTES) -> bytes:
    """Decode an HTTP-POST SAMLRequest/SAMLResponse form value, raw or DEFLATEd, into XML."""
    compact = value.translate(_BASE64_WHITESPACE)
    # Checking the encoded length first avoids allocating the decoded form of a huge upload.
    if len(compact) > 4 * -(-max_bytes // 3):
        raise SamlBindingError(f"The SAML message exceeds {max_bytes} bytes.")
    decoded = _b64decode(compact, what="SAML message")
    if len(decoded) > max_bytes:
        raise SamlBindingError(f"The SAML message exceeds {max_bytes} bytes.")
    if _looks_like_xml(decoded):
        return decoded
    # NOTE: the POST binding (SAML bindings 3.5.4) carries the XML uncompressed, but node-saml
    # (passport-saml) deflates it unless skipRequestCompression is set, and pysaml2 accepts
    # that; so do we, under the same inflate cap as the Redirect binding.
    return inflate_capped(decoded, max_bytes=max_bytes)


def _looks_like_xml(data: bytes) -> bool:
    # Decided on the first bytes, never by trial and error: an XML document starts with '<'
    # after an optional UTF-8 byte order mark and whitespace; anything else must be DEFLATE.
    return data.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"<")


def relay_state_check(relay_state: str, *, max_bytes: int) -> None:
    """Refuse a RelayState longer than max_bytes once encoded as UTF-8."""
    # It is stored in the session and echoed to the SP; without a cap any SP link could
    # make us carry a megabyte through every sign-in.
    size = len(relay_state.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise SamlBindingError(
            f"The RelayState is {size} bytes, which exceeds the allowed {max_bytes} bytes."
        )


def sign_redirect(
    *,
    xml: bytes | str,
    private_key_pem: str,
    parameter: str = "SAMLResponse",
    relay_state: str | None = None,
    sig_alg: str = RSA_SHA256,
) -> str:
    """Build a signed HTTP-Redirect query string (without the leading '?') for a message."""
    if parameter not in MESSAGE_PARAMETERS:
        raise ValueError(f"parameter must be SAMLRequest or SAMLResponse, not {parameter!r}")
    digest = {**_REDIRECT_HASHES, **_SHA1_REDIRECT_HASHES}.get(sig_alg)
    if digest is None:
        raise ValueError(f"Unsupported redirect signature algorithm {sig_alg!r}")
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    compressor = zlib.compressobj(wbits=-15)
    deflated = compressor.compress(data) + compressor.flush()
    raw_message = quote(base64.b64encode(deflated).decode("ascii"), safe="")
    raw_relay_state = quote(relay_state, safe="") if relay_state is not None else None
    raw_sig_alg = quote(sig_alg, safe="")
    signed = _signed_octets(
        parameter=parameter,
        raw_message=raw_message,
        raw_relay_state=raw_relay_state,
        raw_sig_alg=raw_sig_alg,
    )
    key = key_cache.rsa_private_key(private_key_pem.strip().encode("utf-8"))
    signature = key.sign(signed, padding.PKCS1v15(), digest)
    raw_signature = quote(base64.b64encode(signature).decode("ascii"), safe="")
    return f"{signed.decode('ascii')}&Signature={raw_signature}"


def _signed_octets(
    *, parameter: str, raw_message: str, raw_relay_state: str | None, raw_sig_alg: str
) -> bytes:
    # The spec signs the values exactly as they travelled; re-encoding them would break
    # signatures from senders whose percent-encoding differs from ours.
    parts = [f"{parameter}={raw_message}"]
    if raw_relay_state is not None:
        parts.append(f"RelayState={raw_relay_state}")
    parts.append(f"SigAlg={raw_sig_alg}")
    return "&".join(parts).encode("ascii")


def _split_query(query_string: str) -> dict[str, str]:
    raw: dict[str, str] = {}
    # Signed octets must equal the bytes on the wire; an unencoded non-ASCII character has no
    # single byte form, so such a query string cannot be verified reliably.
    if not query_string.isascii():
        raise SamlBindingError("The query string contains unencoded non-ASCII characters.")
    for pair in query_string.lstrip("?").split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        name = unquote_plus(name)
        # A repeated parameter would let the signed value differ from the one we act on.
        if name in raw:
            raise SamlBindingError(f"The query string repeats the {name} parameter.")
        raw[name] = value
    return raw


def _b64decode(value: str, *, what: str) -> bytes:
    try:
        return base64.b64decode(value.translate(_BASE64_WHITESPACE), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SamlBindingError(f"The {what} is not valid base64.") from exc
