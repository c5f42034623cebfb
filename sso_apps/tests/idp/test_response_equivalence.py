"""The lxml-built Response says what pysaml2's create_authn_response said for the same inputs.

Both are built from one application, user and request; the trees are compared by namespace
URI and local name (prefixes differ on purpose: ours are the conventional ones), with IDs
replaced by their order of appearance, instants by their offset from the Response's
IssueInstant, and signature and cipher values left out (they differ on every run).
"""

import datetime
import re

import pytest
from django.test import Client
from lxml import etree
from saml2.assertion import authn_statement
from saml2.saml import NameID

from accounts.sessions import session_authn_instant, session_not_on_or_after
from sso_apps.idp.authn import authn_duties_resolve, authn_response_create
from sso_apps.idp.processors import TesseraProcessor
from sso_apps.idp.runtime import runtimes
from sso_apps.saml.constants import (
    DSIG_NS,
    NAMEID_FORMAT_URIS,
    SIGNATURE_ALGORITHMS,
    XENC_NS,
    XSI_NS,
)
from sso_apps.saml.errors import SamlError
from sso_apps.saml.keys import generate_key_pair
from sso_apps.saml.xmlsec_backend import PythonXmlsecBackend
from sso_apps.tests.idp.sp_harness import SP_ACS_URL

INSTANTS = {"IssueInstant", "NotBefore", "NotOnOrAfter", "AuthnInstant", "SessionNotOnOrAfter"}
ID_VALUED = {"ID", "SessionIndex"}
# Differ on every run: the digests, the signatures and the ciphertext.
RANDOM_TEXT = {f"{{{DSIG_NS}}}DigestValue", f"{{{DSIG_NS}}}SignatureValue"}
SAML_TIME = "%Y-%m-%dT%H:%M:%SZ"


def _pysaml2_response(*, application, runtime, processor, user, in_response_to, session):
    """Build the Response the way authn_response_create did before the lxml builder."""
    config = application.saml
    duties = authn_duties_resolve(application=application, pending=None, session=None)
    user_id = processor.get_user_id(
        user, duties.nameid_format, config.service_provider, runtime.server.config
    )
    sign_alg, digest_alg = SIGNATURE_ALGORITHMS[config.signature_algorithm]
    end = None if session is None else session_not_on_or_after(session=session)
    statement = authn_statement(
        authn_class=duties.authn_context,
        authn_instant=None if session is None else session_authn_instant(session=session),
        session_not_on_or_after=None
        if end is None
        else datetime.datetime.fromtimestamp(end, tz=datetime.UTC).strftime(SAML_TIME),
    )
    response = runtime.server.create_authn_response(
        identity=processor.create_identity(user, runtime.attributes),
        in_response_to=in_response_to,
        destination=SP_ACS_URL,
        sp_entity_id=config.sp_entity_id,
        userid=user_id,
        name_id=NameID(format=duties.nameid_format, text=user_id),
        authn_statement=statement,
        sign_response=config.sign_response,
        sign_assertion=config.sign_assertion,
        sign_alg=sign_alg,
        digest_alg=digest_alg,
        encrypt_assertion=config.encrypt_assertions,
        encrypt_assertion_self_contained=True,
    )
    return str(response), user_id


def _normalised(xml: str, *, sp_key_pem: str = ""):
    if sp_key_pem:
        xml = PythonXmlsecBackend().decrypt(xml, sp_key_pem)
    root = etree.fromstring(xml.encode("utf-8"))  # noqa: S320 (our own output)
    issued = datetime.datetime.strptime(root.get("IssueInstant"), SAML_TIME)
    ids: dict[str, str] = {}

    def placeholder(value: str) -> str:
        return ids.setdefault(value, f"id{len(ids)}")

    def walk(element):
        attributes = []
        for name, value in sorted(element.attrib.items()):
            if name in ID_VALUED:
                value = placeholder(value)
            elif name in INSTANTS:
                moment = datetime.datetime.strptime(value, SAML_TIME)
                # To the nearest 5 s: pysaml2 reads the clock afresh for each instant, so
                # a build that straddles a second boundary says 301 s where another says 300.
                offset = 5 * round((moment - issued).total_seconds() / 5)
                value = f"{offset:+d}s"
            elif name == "URI" and value.startswith("#"):
                value = "#" + placeholder(value[1:])
            elif name == f"{{{XSI_NS}}}type":
                prefix, _, local = value.rpartition(":")
                value = f"{{{element.nsmap[prefix]}}}{local}"
            attributes.append((name, value))
        text = (element.text or "").strip()
        if element.tag in RANDOM_TEXT or etree.QName(element).namespace == XENC_NS:
            text = "(varies)"
        elif element.tag == f"{{{DSIG_NS}}}X509Certificate":
            text = re.sub(r"\s", "", text)
        return (element.tag, tuple(attributes), text, tuple(walk(child) for child in element))

    return walk(root)


def _both(application, user, *, in_response_to="_request", session=None, sp_key_pem=""):
    runtime = runtimes.get(application)
    processor = TesseraProcessor(application.saml.sp_entity_id, application=application)
    old_xml, old_name_id = _pysaml2_response(
        application=application,
        runtime=runtime,
        processor=processor,
        user=user,
        in_response_to=in_response_to,
        session=session,
    )
    issued = authn_response_create(
        application=application,
        runtime=runtime,
        processor=processor,
        user=user,
        in_response_to=in_response_to,
        acs_url=SP_ACS_URL,
        session=session,
    )
    return (
        _normalised(old_xml, sp_key_pem=sp_key_pem),
        _normalised(issued.xml, sp_key_pem=sp_key_pem),
        old_name_id,
        issued,
    )


def _member(application):
    return application.authorized_groups.get().members.get()


@pytest.mark.django_db
@pytest.mark.parametrize("nameid_format", ["emailAddress", "unspecified", "persistent"])
@pytest.mark.parametrize(
    ("sign_response", "sign_assertion"), [(True, True), (True, False), (False, True)]
)
def test_lxml_response_is_the_pysaml2_response(
    saml_app_factory, group_factory, nameid_format, sign_response, sign_assertion
):
    application = saml_app_factory(
        nameid_format=nameid_format,
        sign_response=sign_response,
        sign_assertion=sign_assertion,
        include_group_attribute=True,
        group_attribute_name="memberOf",
    )
    user = _member(application)
    # Several values for one attribute, and values XML must escape.
    group_factory(name="R&D <lab> ]]> \"quoted\" 'single'", members=[user])
    user.first_name = "Ada & <Eve> ]]>"
    user.save()

    old, new, old_name_id, issued = _both(application, user)

    assert new == old
    assert issued.name_id == old_name_id
    assert issued.name_id_format == NAMEID_FORMAT_URIS[nameid_format]


@pytest.mark.django_db
@pytest.mark.parametrize("signature_algorithm", ["rsa-sha256", "rsa-sha512"])
def test_idp_initiated_response_with_a_session_is_the_pysaml2_response(
    saml_app_factory, signature_algorithm
):
    application = saml_app_factory(signature_algorithm=signature_algorithm)
    user = _member(application)
    client = Client()
    client.force_login(user)

    old, new, _, issued = _both(application, user, in_response_to=None, session=client.session)

    assert new == old
    root = etree.fromstring(issued.xml.encode())  # noqa: S320
    statement = root.find(".//{*}AuthnStatement")
    assert statement.get("SessionIndex") == issued.session_index
    assert statement.get("SessionNotOnOrAfter")
    assert root.get("InResponseTo") is None


@pytest.mark.django_db
@pytest.mark.parametrize("sign_assertion", [True, False])
def test_encrypted_lxml_response_decrypts_to_the_pysaml2_one(saml_app_factory, sign_assertion):
    sp_keys = generate_key_pair(common_name="sp.example.com")
    application = saml_app_factory(
        encrypt_assertions=True,
        sp_certificate=sp_keys.certificate_pem,
        sign_assertion=sign_assertion,
        sign_response=True,
    )

    old, new, _, _ = _both(application, _member(application), sp_key_pem=sp_keys.private_key_pem)

    assert new == old


@pytest.mark.django_db
@pytest.mark.parametrize("hostile", ["nul\x00byte", "bell\x07", "escape\x1b[0m", "\ufffe"])
def test_values_xml_cannot_carry_are_refused_like_before(saml_app_factory, hostile):
    application = saml_app_factory()
    user = _member(application)
    # In memory only: PostgreSQL refuses NUL itself, but the other characters get stored.
    user.first_name = hostile
    runtime = runtimes.get(application)
    processor = TesseraProcessor(application.saml.sp_entity_id, application=application)

    # pysaml2 wrote the character out raw and the signing step refused the malformed XML.
    with pytest.raises(SamlError):
        _pysaml2_response(
            application=application,
            runtime=runtime,
            processor=processor,
            user=user,
            in_response_to="_request",
            session=None,
        )
    with pytest.raises(SamlError, match="characters XML cannot carry"):
        authn_response_create(
            application=application,
            runtime=runtime,
            processor=processor,
            user=user,
            in_response_to="_request",
            acs_url=SP_ACS_URL,
        )


@pytest.mark.django_db
def test_escaped_values_reach_the_sp_intact(saml_app):
    user = _member(saml_app)
    user.first_name = "<b>&amp; ]]> \t tab"
    user.save()
    runtime = runtimes.get(saml_app)
    processor = TesseraProcessor(saml_app.saml.sp_entity_id, application=saml_app)

    issued = authn_response_create(
        application=saml_app,
        runtime=runtime,
        processor=processor,
        user=user,
        in_response_to="_request",
        acs_url=SP_ACS_URL,
    )

    root = etree.fromstring(issued.xml.encode())  # noqa: S320
    values = {
        attribute.get("Name"): [value.text for value in attribute]
        for attribute in root.iter("{*}Attribute")
    }
    assert values["FirstName"] == ["<b>&amp; ]]> \t tab"]
    assert "<b>" not in issued.xml
