"""Read the settings an administrator needs out of a service provider's SAML metadata."""

import base64
import binascii
import textwrap
from dataclasses import asdict, dataclass, field

from lxml import etree

from sso_apps.saml.constants import (
    BINDING_NAMES,
    DATA_ENCRYPTION_NAMES,
    DSIG_NS,
    HTTP_POST,
    METADATA_NS,
    NAMEID_FORMAT_NAMES,
    PROTOCOL_NS,
    BindingName,
)
from sso_apps.saml.errors import KeyPairError, SamlXmlError, SpMetadataError
from sso_apps.saml.keys import load_certificate
from sso_apps.saml.parsing import parse_xml
from sso_apps.saml.sp_urls import sp_url_problem

__all__ = [
    "MAX_ACS_INDEX",
    "MAX_METADATA_BYTES",
    "AcsEndpoint",
    "SpMetadata",
    "parse_sp_metadata",
]

MAX_METADATA_BYTES = 1024 * 1024
# IndexedEndpointType's index is an xs:unsignedShort (metadata 2.2.3).
MAX_ACS_INDEX = 65535

_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


@dataclass(frozen=True)
class AcsEndpoint:
    """One HTTP-POST AssertionConsumerService of the SP, as its metadata numbers it."""

    url: str
    index: int
    is_default: bool = False
    binding: str = BindingName.POST


@dataclass(frozen=True)
class SpMetadata:
    """The parts of SP metadata that configure a Tessera service provider."""

    entity_id: str
    # The default first, then by index.
    acs_endpoints: list[AcsEndpoint] = field(default_factory=list)
    slo_url: str | None = None
    slo_binding: str | None = None
    signing_certificate_pem: str | None = None
    encryption_certificate_pem: str | None = None
    # The data encryption to preselect: one we offer that the SP's encryption key lists.
    data_encryption: str | None = None
    nameid_format: str | None = None
    authn_requests_signed: bool = False
    want_assertions_signed: bool = False

    @property
    def acs_urls(self) -> list[str]:
        """Return the ACS URLs, the default first."""
        return [endpoint.url for endpoint in self.acs_endpoints]

    def to_dict(self) -> dict:
        """Return the values as JSON-ready data (what an SP metadata URL last applied)."""
        return asdict(self)


def parse_sp_metadata(
    xml: bytes | str, *, allow_http: bool = False, max_bytes: int = MAX_METADATA_BYTES
) -> SpMetadata:
    """Parse SP metadata (an EntityDescriptor, or an EntitiesDescriptor holding one SP).

    Every endpoint Location must meet the SP URL rule (http:// only with `allow_http`);
    one that does not refuses the whole document, as it may be an attack.
    """
    try:
        root = parse_xml(xml, max_bytes=max_bytes)
    except SamlXmlError as exc:
        raise SpMetadataError(f"The metadata is not usable XML: {exc.reason}") from exc
    entity = _single_sp_entity(root)
    entity_id = (entity.get("entityID") or "").strip()
    if not entity_id:
        raise SpMetadataError("The EntityDescriptor has no entityID.")
    sp = _saml2_sp_descriptor(entity)
    return SpMetadata(
        entity_id=entity_id,
        acs_endpoints=_acs_endpoints(sp, allow_http=allow_http),
        **_single_logout(sp, allow_http=allow_http),
        signing_certificate_pem=_certificate_for(sp, use="signing"),
        encryption_certificate_pem=_certificate_for(sp, use="encryption"),
        data_encryption=_data_encryption(sp),
        nameid_format=_nameid_format(sp),
        authn_requests_signed=(sp.get("AuthnRequestsSigned") or "").strip() in _TRUE,
        want_assertions_signed=(sp.get("WantAssertionsSigned") or "").strip() in _TRUE,
    )


def _single_sp_entity(root: etree._Element) -> etree._Element:
    if root.tag == f"{{{METADATA_NS}}}EntityDescriptor":
        return root
    if root.tag != f"{{{METADATA_NS}}}EntitiesDescriptor":
        raise SpMetadataError(
            f"The document is a {etree.QName(root).localname}, not a SAML EntityDescriptor."
        )
    entities = [
        entity
        for entity in root.iter(f"{{{METADATA_NS}}}EntityDescriptor")
        if entity.find(f"{{{METADATA_NS}}}SPSSODescriptor") is not None
    ]
    if not entities:
        raise SpMetadataError(
            "The metadata has no SPSSODescriptor (it describes no service provider)."
        )
    if len(entities) > 1:
        raise SpMetadataError(
            f"The metadata describes {len(entities)} service providers; import one at a time."
        )
    return entities[0]


def _saml2_sp_descriptor(entity: etree._Element) -> etree._Element:
    descriptors = entity.findall(f"{{{METADATA_NS}}}SPSSODescriptor")
    if not descriptors:
        raise SpMetadataError(
            "The metadata has no SPSSODescriptor (it describes no service provider)."
        )
    for descriptor in descriptors:
        if PROTOCOL_NS in (descriptor.get("protocolSupportEnumeration") or "").split():
            return descriptor
    raise SpMetadataError("The service provider does not declare support for SAML 2.0.")


def _acs_endpoints(sp: etree._Element, *, allow_http: bool) -> list[AcsEndpoint]:
    found: list[tuple[int | None, str, str]] = []  # (index, isDefault text, URL)
    for service in sp.findall(f"{{{METADATA_NS}}}AssertionConsumerService"):
        location = (service.get("Location") or "").strip()
        # Only HTTP-POST: it is the one binding Tessera sends Responses with.
        if service.get("Binding") != HTTP_POST or not location:
            continue
        _location_check("AssertionConsumerService", location, allow_http=allow_http)
        if any(url == location for _, _, url in found):
            continue  # the same URL twice: the first (document order) keeps its index
        found.append(
            (_acs_index(service.get("index")), (service.get("isDefault") or "").strip(), location)
        )
    if not found:
        raise SpMetadataError(
            "The service provider has no AssertionConsumerService with the HTTP-POST binding."
        )
    indexes = [index for index, _, _ in found if index is not None]
    duplicates = sorted({index for index in indexes if indexes.count(index) > 1})
    if duplicates:
        raise SpMetadataError(
            "Two AssertionConsumerService endpoints share the index "
            f"{', '.join(map(str, duplicates))}; each index must name one endpoint."
        )
    # index is required by the schema; one left out gets the next number after the others.
    following = max(indexes, default=-1) + 1
    numbered = []
    for index, default_text, url in found:
        if index is None:
            index, following = following, following + 1
        numbered.append((index, default_text, url))
    default_url = _default_acs(numbered)
    endpoints = [
        AcsEndpoint(url=url, index=index, is_default=url == default_url)
        for index, _, url in numbered
    ]
    return sorted(endpoints, key=lambda endpoint: (not endpoint.is_default, endpoint.index))


def _acs_index(value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit() or int(text) > MAX_ACS_INDEX:
        raise SpMetadataError(
            f"The AssertionConsumerService index {value[:20]!r} is not a number from 0 to "
            f"{MAX_ACS_INDEX}."
        )
    return int(text)


def _default_acs(numbered: list[tuple[int, str, str]]) -> str:
    # Metadata 2.2.3: the endpoint marked isDefault="true", else the first not marked
    # "false", else the first.
    for _, default_text, url in numbered:
        if default_text in _TRUE:
            return url
    for _, default_text, url in numbered:
        if default_text not in _FALSE:
            return url
    return numbered[0][2]


def _single_logout(sp: etree._Element, *, allow_http: bool) -> dict[str, str | None]:
    # The first supported endpoint in document order wins: SPs list their preference first.
    for service in sp.findall(f"{{{METADATA_NS}}}SingleLogoutService"):
        binding = BINDING_NAMES.get(service.get("Binding") or "")
        location = (service.get("Location") or "").strip()
        if binding and location:
            _location_check("SingleLogoutService", location, allow_http=allow_http)
            return {"slo_url": location, "slo_binding": binding}
    return {"slo_url": None, "slo_binding": None}


def _location_check(element: str, location: str, *, allow_http: bool) -> None:
    problem = sp_url_problem(location, allow_http=allow_http)
    if problem:
        raise SpMetadataError(f"The {element} Location is refused: {problem}")


def _certificate_for(sp: etree._Element, *, use: str) -> str | None:
    # A KeyDescriptor without "use" serves both signing and encryption (metadata spec 2.4.1.1).
    for descriptor in sp.findall(f"{{{METADATA_NS}}}KeyDescriptor"):
        if descriptor.get("use") not in (None, use):
            continue
        certificate = descriptor.find(
            f"{{{DSIG_NS}}}KeyInfo/{{{DSIG_NS}}}X509Data/{{{DSIG_NS}}}X509Certificate"
        )
        if certificate is not None and (certificate.text or "").strip():
            return _to_pem(certificate.text, use=use)
    return None


def _data_encryption(sp: etree._Element) -> str | None:
    # EncryptionMethod lists what the SP can decrypt, in no promised order, so the first
    # of ours (strongest first: GCM before CBC) that it lists is chosen, never a downgrade
    # the SP did not need. Unknown ones (3DES, key transports) are ignored; none known
    # leaves the app's choice alone.
    listed = {
        (method.get("Algorithm") or "").strip()
        for descriptor in sp.findall(f"{{{METADATA_NS}}}KeyDescriptor")
        if descriptor.get("use") in (None, "encryption")
        for method in descriptor.findall(f"{{{METADATA_NS}}}EncryptionMethod")
    }
    return next((name for uri, name in DATA_ENCRYPTION_NAMES.items() if uri in listed), None)


def _to_pem(body: str, *, use: str) -> str:
    compact = "".join(body.split())
    try:
        base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SpMetadataError(f"The {use} certificate is not valid base64.") from exc
    pem = "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n".format(
        "\n".join(textwrap.wrap(compact, 64))
    )
    try:
        load_certificate(pem)
    except KeyPairError as exc:
        raise SpMetadataError(f"The {use} certificate is not a valid X.509 certificate.") from exc
    return pem


def _nameid_format(sp: etree._Element) -> str | None:
    # SPs list formats in preference order; unknown ones are skipped rather than guessed at.
    for element in sp.findall(f"{{{METADATA_NS}}}NameIDFormat"):
        short_name = NAMEID_FORMAT_NAMES.get((element.text or "").strip())
        if short_name:
            return short_name
    return None
