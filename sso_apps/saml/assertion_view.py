"""Read an Assertion out of a Response for people to look at: its facts, and its XML unsigned."""

from dataclasses import dataclass

from lxml import etree

from sso_apps.saml.constants import ASSERTION_NS, DSIG_NS
from sso_apps.saml.errors import SamlXmlError
from sso_apps.saml.parsing import parse_xml

_NS = {"saml": ASSERTION_NS, "ds": DSIG_NS}


@dataclass(frozen=True)
class AssertionView:
    """What an Assertion says, and its XML without any signature."""

    issuer: str
    name_id: str
    name_id_format: str
    audiences: tuple[str, ...]
    recipient: str
    not_before: str
    not_on_or_after: str
    subject_not_on_or_after: str
    authn_context_class_ref: str
    session_index: str
    attributes: tuple[tuple[str, tuple[str, ...]], ...]
    xml: str


def _text(root, path: str) -> str:
    found = root.find(path, _NS)
    return (found.text or "").strip() if found is not None else ""


def _attribute(root, path: str, name: str) -> str:
    found = root.find(path, _NS)
    return found.get(name, "") if found is not None else ""


def assertion_view(response_xml: str) -> AssertionView:
    """Return the first plain Assertion of a Response, signatures stripped, pretty-printed."""
    root = parse_xml(response_xml)
    assertion = root if root.tag == f"{{{ASSERTION_NS}}}Assertion" else None
    if assertion is None:
        assertion = root.find("saml:Assertion", _NS)
    if assertion is None:
        raise SamlXmlError("The Response holds no plain Assertion to show.")
    # NOTE: a copy, with every signature removed, so what is shown can never be posted
    # to an SP as a valid, signed message (a bearer token).
    assertion = etree.fromstring(etree.tostring(assertion))
    for signature in assertion.findall(".//ds:Signature", _NS):
        signature.getparent().remove(signature)
    etree.indent(assertion, space="  ")
    confirmation = "saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData"
    return AssertionView(
        issuer=_text(assertion, "saml:Issuer"),
        name_id=_text(assertion, "saml:Subject/saml:NameID"),
        name_id_format=_attribute(assertion, "saml:Subject/saml:NameID", "Format"),
        audiences=tuple(
            (node.text or "").strip()
            for node in assertion.findall(
                "saml:Conditions/saml:AudienceRestriction/saml:Audience", _NS
            )
        ),
        recipient=_attribute(assertion, confirmation, "Recipient"),
        not_before=_attribute(assertion, "saml:Conditions", "NotBefore"),
        not_on_or_after=_attribute(assertion, "saml:Conditions", "NotOnOrAfter"),
        subject_not_on_or_after=_attribute(assertion, confirmation, "NotOnOrAfter"),
        authn_context_class_ref=_text(
            assertion, "saml:AuthnStatement/saml:AuthnContext/saml:AuthnContextClassRef"
        ),
        session_index=_attribute(assertion, "saml:AuthnStatement", "SessionIndex"),
        attributes=tuple(
            (
                node.get("Name", ""),
                tuple((value.text or "") for value in node.findall("saml:AttributeValue", _NS)),
            )
            for node in assertion.findall("saml:AttributeStatement/saml:Attribute", _NS)
        ),
        xml=etree.tostring(assertion, encoding="unicode"),
    )
