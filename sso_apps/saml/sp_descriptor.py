"""Describe an application's service provider as SAML metadata, built from our config.

pysaml2 only knows SPs through metadata, and djangosaml2idp's ServiceProvider row stores
it as text; both get this document, generated from the SamlConfig the admin edits.
"""

import datetime
from dataclasses import dataclass, field

from lxml import etree

from sso_apps.saml.constants import (
    BINDING_URIS,
    DSIG_NS,
    HTTP_POST,
    METADATA_NS,
    NAMEID_FORMAT_URIS,
    PROTOCOL_NS,
    BindingName,
    NameIdFormatName,
)
from sso_apps.saml.keys import certificate_body


@dataclass(frozen=True)
class SpDescriptor:
    """What the IdP needs to know about one SP."""

    entity_id: str
    acs_urls: list[str]  # the default first
    slo_url: str = ""
    slo_binding: str = BindingName.POST
    certificate_pem: str = ""
    nameid_format: str = NameIdFormatName.EMAIL
    authn_requests_signed: bool = False
    want_assertions_signed: bool = True
    valid_for: datetime.timedelta = field(default=datetime.timedelta(days=3650))

    def to_xml(self) -> str:
        """Return an md:EntityDescriptor (with validUntil, which djangosaml2idp requires)."""
        md = f"{{{METADATA_NS}}}"
        valid_until = datetime.datetime.now(datetime.UTC) + self.valid_for
        root = etree.Element(
            md + "EntityDescriptor",
            nsmap={"md": METADATA_NS, "ds": DSIG_NS},
            entityID=self.entity_id,
            validUntil=valid_until.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        sp = etree.SubElement(
            root,
            md + "SPSSODescriptor",
            protocolSupportEnumeration=PROTOCOL_NS,
            AuthnRequestsSigned=_bool(self.authn_requests_signed),
            WantAssertionsSigned=_bool(self.want_assertions_signed),
        )
        if self.certificate_pem:
            for use in ("signing", "encryption"):
                key = etree.SubElement(sp, md + "KeyDescriptor", use=use)
                info = etree.SubElement(key, f"{{{DSIG_NS}}}KeyInfo")
                data = etree.SubElement(info, f"{{{DSIG_NS}}}X509Data")
                etree.SubElement(data, f"{{{DSIG_NS}}}X509Certificate").text = certificate_body(
                    self.certificate_pem
                )
        if self.slo_url:
            etree.SubElement(
                sp,
                md + "SingleLogoutService",
                Binding=BINDING_URIS[self.slo_binding],
                Location=self.slo_url,
            )
        etree.SubElement(sp, md + "NameIDFormat").text = NAMEID_FORMAT_URIS[self.nameid_format]
        for index, url in enumerate(self.acs_urls):
            etree.SubElement(
                sp,
                md + "AssertionConsumerService",
                Binding=HTTP_POST,
                Location=url,
                index=str(index),
                isDefault=_bool(index == 0),
            )
        return etree.tostring(root, encoding="unicode")


def _bool(value: bool) -> str:
    return "true" if value else "false"
