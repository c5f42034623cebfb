"""Build IdP metadata from plain values: an entity ID, endpoint URLs and certificates."""

from dataclasses import dataclass

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


@dataclass(frozen=True)
class IdpMetadata:
    """What an SP needs to trust and reach one application's IdP endpoints."""

    entity_id: str
    sso_url: str
    slo_url: str
    # The signing certificate first; during a rotation the next one follows it.
    certificates_pem: tuple[str, ...]
    want_authn_requests_signed: bool = False

    def to_xml(self) -> bytes:
        """Return the md:EntityDescriptor as UTF-8 XML with a declaration."""
        md = f"{{{METADATA_NS}}}"
        root = etree.Element(
            md + "EntityDescriptor",
            nsmap={"md": METADATA_NS, "ds": DSIG_NS},
            entityID=self.entity_id,
        )
        idp = etree.SubElement(
            root,
            md + "IDPSSODescriptor",
            protocolSupportEnumeration=PROTOCOL_NS,
            WantAuthnRequestsSigned="true" if self.want_authn_requests_signed else "false",
        )
        for pem in self.certificates_pem:
            key = etree.SubElement(idp, md + "KeyDescriptor", use="signing")
            info = etree.SubElement(key, f"{{{DSIG_NS}}}KeyInfo")
            data = etree.SubElement(info, f"{{{DSIG_NS}}}X509Data")
            etree.SubElement(data, f"{{{DSIG_NS}}}X509Certificate").text = certificate_body(pem)
        for binding in (HTTP_REDIRECT, HTTP_POST):
            etree.SubElement(
                idp, md + "SingleLogoutService", Binding=binding, Location=self.slo_url
            )
        for uri in NAMEID_FORMAT_URIS.values():
            etree.SubElement(idp, md + "NameIDFormat").text = uri
        for binding in (HTTP_REDIRECT, HTTP_POST):
            etree.SubElement(
                idp, md + "SingleSignOnService", Binding=binding, Location=self.sso_url
            )
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
