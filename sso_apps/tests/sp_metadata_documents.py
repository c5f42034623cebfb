"""SP metadata documents for the SP metadata URL tests (services, SSO tab, browser)."""

import functools

from sso_apps.saml.keys import KeyPair, certificate_body, generate_key_pair

ENTITY = "https://wiki.example.test/saml"
ACS_MAIN = "https://wiki.example.test/acs"
ACS_OTHER = "https://wiki.example.test/acs/other"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


@functools.cache
def _sp_key_pair(name: str) -> KeyPair:
    return generate_key_pair(common_name=f"wiki.example.test {name}")


def sp_certificates() -> tuple[str, str]:
    # Two real certificates: the SP's current one and the one it rotates to.
    return _sp_key_pair("current").certificate_pem, _sp_key_pair("rotated").certificate_pem


def metadata_xml(
    *,
    entity_id: str = ENTITY,
    certificate_pem: str | None = None,
    acs: tuple[tuple[str, int, bool], ...] = ((ACS_MAIN, 1, True), (ACS_OTHER, 4, False)),
) -> bytes:
    certificate_pem = certificate_pem or sp_certificates()[0]
    endpoints = "".join(
        f'<md:AssertionConsumerService Binding="{POST}" Location="{url}" index="{index}"'
        f' isDefault="{str(default).lower()}"/>'
        for url, index, default in acs
    )
    return (
        '<?xml version="1.0"?>'
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'
        ' xmlns:ds="http://www.w3.org/2000/09/xmldsig#"'
        f' entityID="{entity_id}" validUntil="2030-01-01T00:00:00Z">'
        '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"'
        ' AuthnRequestsSigned="false">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
        f"{certificate_body(certificate_pem)}"
        "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        f"{endpoints}</md:SPSSODescriptor></md:EntityDescriptor>"
    ).encode()
