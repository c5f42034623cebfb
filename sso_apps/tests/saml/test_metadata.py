"""The IdP metadata builder works from plain values, without a database."""

from lxml import etree

from sso_apps.saml.constants import (
    DSIG_NS,
    HTTP_POST,
    HTTP_REDIRECT,
    METADATA_NS,
    NAMEID_FORMAT_URIS,
    PROTOCOL_NS,
)
from sso_apps.saml.keys import certificate_body
from sso_apps.saml.metadata import IdpMetadata

NS = {"md": METADATA_NS, "ds": DSIG_NS}


def test_metadata_lists_certificates_in_order_with_both_bindings(idp_pair, sp_pair):
    metadata = IdpMetadata(
        entity_id="https://idp.tessera.test/saml2/wiki/metadata",
        sso_url="https://idp.tessera.test/saml2/wiki",
        slo_url="https://idp.tessera.test/saml2/wiki/slo",
        certificates_pem=(idp_pair.certificate_pem, sp_pair.certificate_pem),
        want_authn_requests_signed=True,
    )
    root = etree.fromstring(metadata.to_xml())
    assert root.get("entityID") == "https://idp.tessera.test/saml2/wiki/metadata"
    idp = root.find("md:IDPSSODescriptor", NS)
    assert idp.get("protocolSupportEnumeration") == PROTOCOL_NS
    assert idp.get("WantAuthnRequestsSigned") == "true"
    assert root.xpath("//ds:X509Certificate/text()", namespaces=NS) == [
        certificate_body(idp_pair.certificate_pem),
        certificate_body(sp_pair.certificate_pem),
    ]
    for service, url in (
        ("SingleSignOnService", metadata.sso_url),
        ("SingleLogoutService", metadata.slo_url),
    ):
        endpoints = [
            (e.get("Binding"), e.get("Location")) for e in idp.findall(f"md:{service}", NS)
        ]
        assert endpoints == [(HTTP_REDIRECT, url), (HTTP_POST, url)]
    formats = [e.text for e in idp.findall("md:NameIDFormat", NS)]
    assert formats == list(NAMEID_FORMAT_URIS.values())


def test_metadata_says_unsigned_requests_are_fine_unless_asked(idp_pair):
    metadata = IdpMetadata(
        entity_id="https://idp.tessera.test/e",
        sso_url="https://idp.tessera.test/sso",
        slo_url="https://idp.tessera.test/slo",
        certificates_pem=(idp_pair.certificate_pem,),
    )
    root = etree.fromstring(metadata.to_xml())
    assert metadata.to_xml().startswith(b"<?xml")
    assert root.find("md:IDPSSODescriptor", NS).get("WantAuthnRequestsSigned") == "false"
