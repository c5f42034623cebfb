"""Strict reading of incoming protocol messages: no comment, PI or markup splits a value."""

import datetime

import pytest

from sso_apps.saml.bindings import relay_state_check
from sso_apps.saml.constants import ASSERTION_NS as SAML
from sso_apps.saml.constants import PROTOCOL_NS as SAMLP
from sso_apps.saml.errors import SamlBindingError, SamlError, SamlXmlError
from sso_apps.saml.parsing import parse_xml
from sso_apps.saml.requests import (
    MessagePolicy,
    SamlRequestError,
    check_message,
    read_message,
    text_of,
)

ISSUER = "https://sp.example.test/saml/metadata/"
SLO_URL = "https://idp.tessera.test/saml2/app/slo"
SSO_URL = "https://idp.tessera.test/saml2/app"
NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)

# A trick goes where {issuer}, {name_id} or {session_index} is; the value on either side
# of it together form what a signature over exclusive C14N would have covered.
TRICKS = {
    "comment": "<!---->",
    "processing-instruction": "<?evil x?>",
    "child-element": "<saml:b/>",
    "comment-with-text": "<!-- .evil.io -->",
}


def logout_request(
    *,
    issuer: str = ISSUER,
    name_id: str = "victim@example.com",
    session_index: str = "_s1",
    destination: str | None = SLO_URL,
    prolog: str = "",
    extra: str = "",
) -> bytes:
    destination_attribute = f' Destination="{destination}"' if destination is not None else ""
    return (
        f'{prolog}<samlp:LogoutRequest xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="_lr1"'
        f' Version="2.0" IssueInstant="2026-01-01T00:00:00Z"{destination_attribute}>'
        f"<saml:Issuer>{issuer}</saml:Issuer>"
        "<saml:NameID Format='urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'>"
        f"{name_id}</saml:NameID>"
        f"<samlp:SessionIndex>{session_index}</samlp:SessionIndex>{extra}"
        "</samlp:LogoutRequest>"
    ).encode()


def test_a_plain_logout_request_reads_every_value():
    _root, message = read_message(logout_request(), expected_kinds={"LogoutRequest"})

    assert (message.issuer, message.name_id, message.session_indexes) == (
        ISSUER,
        "victim@example.com",
        ("_s1",),
    )


@pytest.mark.parametrize("trick", TRICKS.values(), ids=TRICKS.keys())
@pytest.mark.parametrize(
    "field",
    [
        {"name_id": "victim@example.com{trick}.evil.io"},
        {"issuer": ISSUER + "{trick}.evil.io"},
        {"session_index": "_s1{trick}-other"},
    ],
    ids=["NameID", "Issuer", "SessionIndex"],
)
def test_a_value_split_by_a_comment_pi_or_element_is_refused(field, trick):
    ((name, template),) = field.items()

    with pytest.raises(SamlError):
        read_message(
            logout_request(**{name: template.format(trick=trick)}),
            expected_kinds={"LogoutRequest"},
        )


@pytest.mark.parametrize("trick", ["<!---->", "<?evil x?>"], ids=["comment", "pi"])
def test_the_parser_refuses_comments_and_pis_anywhere_in_a_message(trick):
    for xml in (
        logout_request(prolog=trick),
        logout_request() + trick.encode(),
        logout_request(extra=trick),
    ):
        with pytest.raises(SamlXmlError, match="comment or processing instruction"):
            read_message(xml, expected_kinds={"LogoutRequest"})


@pytest.mark.parametrize("trick", TRICKS.values(), ids=TRICKS.keys())
def test_text_of_refuses_any_child_node_even_where_the_parser_allowed_it(trick):
    # Defence in depth: parse_xml (used for SP metadata) keeps comments and PIs, and
    # text_of must not be fooled by them either.
    element = parse_xml(f'<a xmlns:saml="{SAML}">victim@example.com{trick}.evil.io</a>')

    with pytest.raises(SamlRequestError, match="must contain only text"):
        text_of(element)


def test_a_cdata_split_value_is_read_whole_as_the_signature_covers_it():
    # lxml merges CDATA into the text node, so the reader sees the same characters that
    # canonicalisation (and so the signature) covers: never a prefix of them.
    xml = logout_request(name_id="victim@example.com<![CDATA[.evil]]>.io")

    _root, message = read_message(xml, expected_kinds={"LogoutRequest"})

    assert message.name_id == "victim@example.com.evil.io"


@pytest.mark.parametrize(
    "extra",
    [f"<saml:Issuer>{ISSUER}</saml:Issuer>", "<saml:NameID>eve@example.com</saml:NameID>"],
    ids=["Issuer", "NameID"],
)
def test_a_second_issuer_or_name_id_is_refused(extra):
    with pytest.raises(SamlRequestError, match="more than one"):
        read_message(logout_request(extra=extra), expected_kinds={"LogoutRequest"})


def _policy(**changes) -> MessagePolicy:
    return MessagePolicy(sp_entity_id=ISSUER, endpoint_urls=frozenset({SLO_URL}), **changes)


def _read(**changes):
    return read_message(logout_request(**changes), expected_kinds={"LogoutRequest"})[1]


def test_a_signed_message_must_name_its_destination():
    with pytest.raises(SamlRequestError, match="names no Destination"):
        check_message(_read(destination=None), policy=_policy(require_destination=True), now=NOW)


def test_an_unsigned_message_may_omit_its_destination():
    check_message(_read(destination=None), policy=_policy(), now=NOW)


@pytest.mark.parametrize("require_destination", [True, False])
@pytest.mark.parametrize("destination", [SSO_URL, "", SLO_URL + "/", SLO_URL.upper()])
def test_a_destination_other_than_the_endpoint_is_refused(destination, require_destination):
    with pytest.raises(SamlRequestError, match="not to this endpoint"):
        check_message(
            _read(destination=destination),
            policy=_policy(require_destination=require_destination),
            now=NOW,
        )


def test_relay_state_is_capped_in_utf8_bytes():
    relay_state_check("a" * 1024, max_bytes=1024)
    with pytest.raises(SamlBindingError, match="1025 bytes"):
        relay_state_check("a" * 1025, max_bytes=1024)
    # 512 two-byte characters fit; one more ASCII byte does not.
    relay_state_check("é" * 512, max_bytes=1024)
    with pytest.raises(SamlBindingError, match="exceeds the allowed 1024 bytes"):
        relay_state_check("é" * 512 + "a", max_bytes=1024)


def _authn_request(attributes: str = "") -> bytes:
    return (
        f'<samlp:AuthnRequest xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="_ar1" Version="2.0"'
        f' IssueInstant="2026-01-01T00:00:00Z" Destination="{SSO_URL}" {attributes}>'
        f"<saml:Issuer>{ISSUER}</saml:Issuer></samlp:AuthnRequest>"
    ).encode()


def _authn_policy(**options) -> MessagePolicy:
    return MessagePolicy(
        sp_entity_id=ISSUER,
        endpoint_urls=frozenset({SSO_URL}),
        acs_urls=("https://sp.example.test/acs",),
        **options,
    )


@pytest.mark.parametrize(("value", "expected"), [("0", 0), ("7", 7), (" 65535 ", 65535)])
def test_assertion_consumer_service_index_is_read(value, expected):
    _root, message = read_message(
        _authn_request(f'AssertionConsumerServiceIndex="{value}"'), expected_kinds={"AuthnRequest"}
    )
    assert message.acs_index == expected and message.acs_url is None


@pytest.mark.parametrize("value", ["-1", "65536", "1.0", "", "x", "٣"])
def test_an_index_that_is_not_an_unsigned_short_is_refused(value):
    with pytest.raises(SamlRequestError, match="is not a number from 0 to 65535"):
        read_message(
            _authn_request(f'AssertionConsumerServiceIndex="{value}"'),
            expected_kinds={"AuthnRequest"},
        )


def test_index_and_url_together_are_refused():
    xml = _authn_request(
        'AssertionConsumerServiceIndex="1" AssertionConsumerServiceURL="https://sp.example.test/acs"'
    )
    with pytest.raises(SamlRequestError, match="SAML allows only one"):
        read_message(xml, expected_kinds={"AuthnRequest"})


def test_an_unregistered_index_is_refused_and_a_registered_one_passes():
    _root, message = read_message(
        _authn_request('AssertionConsumerServiceIndex="4"'), expected_kinds={"AuthnRequest"}
    )
    check_message(message, policy=_authn_policy(acs_indexes=frozenset({4})), now=NOW)
    with pytest.raises(SamlRequestError, match="AssertionConsumerServiceIndex 4 is not registered"):
        check_message(message, policy=_authn_policy(acs_indexes=frozenset({0, 1})), now=NOW)
