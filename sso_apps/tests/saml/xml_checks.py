"""Namespaces and an independent signature check shared by the backend tests."""

import xmlsec
from lxml import etree

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
XENC = "http://www.w3.org/2001/04/xmlenc#"


def xmlsec_verify(element: etree._Element, certificate_pem: str) -> None:
    """Verify element's enveloped signature with bare python-xmlsec, independent of our code."""
    context = xmlsec.SignatureContext()
    context.key = xmlsec.Key.from_memory(certificate_pem, xmlsec.KeyFormat.CERT_PEM, None)
    context.register_id(element, "ID")
    context.verify(element.find(f"{{{DS}}}Signature"))


def parse(xml: str) -> etree._Element:
    return etree.fromstring(xml.encode("utf-8"))
