"""IdP metadata for one application: its entity ID, certificates and endpoints."""

from dataclasses import dataclass

from lxml import etree

from sso_apps.saml.keys import certificate_body
from sso_apps.saml.parsing import DS_NS
from sso_apps.saml.sp_descriptor import NAMEID_FORMAT_URIS
from sso_apps.saml.sp_metadata import HTTP_POST, HTTP_REDIRECT, MD_NS

PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"


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
        md = f"{{{MD_NS}}}"
        root = etree.Element(
            md + "EntityDescriptor", nsmap={"md": MD_NS, "ds": DS_NS}, entityID=self.entity_id
        )
        idp = etree.SubElement(
            root,
            md + "IDPSSODescriptor",
            protocolSupportEnumeration=PROTOCOL,
            WantAuthnRequestsSigned="true" if self.want_authn_requests_signed else "false",
        )
        for pem in self.certificates_pem:
            key = etree.SubElement(idp, md + "KeyDescriptor", use="signing")
            info = etree.SubElement(key, f"{{{DS_NS}}}KeyInfo")
            data = etree.SubElement(info, f"{{{DS_NS}}}X509Data")
            etree.SubElement(data, f"{{{DS_NS}}}X509Certificate").text = certificate_body(pem)
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


def idp_metadata_for(application) -> IdpMetadata:
    """Describe an application's IdP: active certificate, then any "next" one."""
    pairs = sorted(
        (pair for pair in application.key_pairs.all() if pair.status in ("active", "next")),
        key=lambda pair: pair.status != "active",
    )
    return IdpMetadata(
        entity_id=application.saml.idp_entity_id,
        sso_url=application.idp_sso_url,
        slo_url=application.idp_slo_url,
        certificates_pem=tuple(pair.certificate_pem for pair in pairs),
        want_authn_requests_signed=application.saml.require_signed_requests,
    )


def idp_metadata_xml(application) -> str:
    """Return the application's IdP metadata document as text."""
    return idp_metadata_for(application).to_xml().decode("utf-8")
