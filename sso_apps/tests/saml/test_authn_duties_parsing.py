"""The plain SAML side of what an AuthnRequest asks: parsing, NameID format, context, status.

No Django: these run on values, as the SAML layer's purity contract requires.
"""

import pytest
from saml2 import samlp

from sso_apps.saml.authn_context import (
    PASSWORD_SIGN_IN,
    STRENGTH_ORDER,
    RequestedAuthnContext,
    authn_context_choose,
    second_factor_sign_in,
)
from sso_apps.saml.constants import (
    AC_MOBILE_TWO_FACTOR_CONTRACT,
    AC_PASSWORD,
    AC_PASSWORD_PROTECTED_TRANSPORT,
    AC_REFEDS_MFA,
    NAMEID_EMAIL_ADDRESS,
    NAMEID_PERSISTENT,
    NAMEID_TRANSIENT,
    NAMEID_UNSPECIFIED,
    STATUS_INVALID_NAMEID_POLICY,
    STATUS_REQUESTER,
)
from sso_apps.saml.nameid_policy import nameid_format_resolve
from sso_apps.saml.requests import SamlRequestError, read_message
from sso_apps.saml.status import SamlStatusRefusal, invalid_nameid_policy

MFA = "urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken"


def _request(attributes: str = "", children: str = "") -> bytes:
    return (
        '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" '
        f'IssueInstant="2026-01-01T00:00:00Z" {attributes}>'
        f"<saml:Issuer>https://sp.example.test</saml:Issuer>{children}</samlp:AuthnRequest>"
    ).encode()


def _options(attributes: str = "", children: str = ""):
    _, message = read_message(_request(attributes, children), expected_kinds={"AuthnRequest"})
    return message.authn_options


def test_a_bare_request_asks_for_nothing():
    options = _options()
    assert (options.nameid_format, options.allow_create) == (None, None)
    assert not options.force_authn and not options.is_passive
    assert options.requested_context is None


def test_every_option_is_read():
    options = _options(
        'ForceAuthn="1" IsPassive="true"',
        f'<samlp:NameIDPolicy Format="{NAMEID_TRANSIENT}" AllowCreate="false" '
        'SPNameQualifier="https://sp.example.test"/>'
        '<samlp:RequestedAuthnContext Comparison="minimum">'
        f"<saml:AuthnContextClassRef>{AC_PASSWORD}</saml:AuthnContextClassRef>"
        f"<saml:AuthnContextClassRef>{AC_PASSWORD}</saml:AuthnContextClassRef>"
        "</samlp:RequestedAuthnContext>",
    )
    assert options.nameid_format == NAMEID_TRANSIENT
    assert options.allow_create is False
    assert options.sp_name_qualifier == "https://sp.example.test"
    assert options.force_authn and options.is_passive
    assert options.requested_context == RequestedAuthnContext(
        class_refs=(AC_PASSWORD,), comparison="minimum"
    )


@pytest.mark.parametrize("attribute", ["ForceAuthn", "IsPassive"])
@pytest.mark.parametrize("value", ["yes", "TRUE ", "", "2"])
def test_a_boolean_that_is_not_xs_boolean_is_refused(attribute, value):
    with pytest.raises(SamlRequestError, match=attribute):
        _options(f'{attribute}="{value}"')


@pytest.mark.parametrize(
    "context",
    [
        '<samlp:RequestedAuthnContext Comparison="roughly">'
        f"<saml:AuthnContextClassRef>{AC_PASSWORD}</saml:AuthnContextClassRef>"
        "</samlp:RequestedAuthnContext>",
        "<samlp:RequestedAuthnContext/>",
        "<samlp:RequestedAuthnContext>"
        + "".join(
            f"<saml:AuthnContextClassRef>urn:c{n}</saml:AuthnContextClassRef>" for n in range(21)
        )
        + "</samlp:RequestedAuthnContext>",
        # Markup inside a class reference could split what a signature covered.
        "<samlp:RequestedAuthnContext><saml:AuthnContextClassRef>urn:a<saml:b/>b"
        "</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>",
    ],
)
def test_a_malformed_requested_authn_context_is_refused(context):
    with pytest.raises(SamlRequestError):
        _options(children=context)


@pytest.mark.parametrize(
    ("requested", "configured", "override", "issued"),
    [
        (None, NAMEID_PERSISTENT, False, NAMEID_PERSISTENT),
        (NAMEID_UNSPECIFIED, NAMEID_TRANSIENT, False, NAMEID_TRANSIENT),
        (NAMEID_EMAIL_ADDRESS, NAMEID_EMAIL_ADDRESS, False, NAMEID_EMAIL_ADDRESS),
        (NAMEID_TRANSIENT, NAMEID_EMAIL_ADDRESS, True, NAMEID_TRANSIENT),
        (NAMEID_EMAIL_ADDRESS, NAMEID_PERSISTENT, True, NAMEID_EMAIL_ADDRESS),
    ],
)
def test_nameid_format_resolve_issues(requested, configured, override, issued):
    assert (
        nameid_format_resolve(requested=requested, configured=configured, allow_override=override)
        == issued
    )


@pytest.mark.parametrize(
    ("requested", "override", "qualifier"),
    [
        (NAMEID_TRANSIENT, False, None),
        ("urn:oasis:names:tc:SAML:2.0:nameid-format:kerberos", True, None),
        # An affiliation's identifier: not ours to issue.
        (NAMEID_EMAIL_ADDRESS, True, "https://affiliation.example.test"),
    ],
)
def test_nameid_format_resolve_refuses(requested, override, qualifier):
    with pytest.raises(SamlStatusRefusal) as raised:
        nameid_format_resolve(
            requested=requested,
            configured=NAMEID_EMAIL_ADDRESS,
            allow_override=override,
            sp_name_qualifier=qualifier,
            sp_entity_id="https://sp.example.test",
        )
    assert raised.value.status.top == STATUS_REQUESTER
    assert raised.value.status.second == STATUS_INVALID_NAMEID_POLICY


def test_an_sp_name_qualifier_naming_the_sp_itself_is_fine():
    assert (
        nameid_format_resolve(
            requested=None,
            configured=NAMEID_PERSISTENT,
            allow_override=False,
            sp_name_qualifier="https://sp.example.test",
            sp_entity_id="https://sp.example.test",
        )
        == NAMEID_PERSISTENT
    )


def test_without_a_request_the_strongest_achieved_class_is_stated():
    assert authn_context_choose(None, achieved=PASSWORD_SIGN_IN) == AC_PASSWORD_PROTECTED_TRANSPORT


def test_a_stronger_class_added_to_the_order_is_chosen_for_minimum(monkeypatch):
    # What issue 15 does: add the MFA class to the order and to what a session achieved.
    monkeypatch.setattr("sso_apps.saml.authn_context.STRENGTH_ORDER", (*STRENGTH_ORDER, MFA))
    requested = RequestedAuthnContext(class_refs=(MFA,), comparison="minimum")
    assert authn_context_choose(requested, achieved=(*PASSWORD_SIGN_IN, MFA)) == MFA
    with pytest.raises(SamlStatusRefusal):
        authn_context_choose(requested, achieved=PASSWORD_SIGN_IN)
    better = RequestedAuthnContext(
        class_refs=(AC_PASSWORD_PROTECTED_TRANSPORT,), comparison="better"
    )
    assert authn_context_choose(better, achieved=(*PASSWORD_SIGN_IN, MFA)) == MFA


@pytest.mark.parametrize("mfa_class", [AC_REFEDS_MFA, AC_MOBILE_TWO_FACTOR_CONTRACT])
def test_both_mfa_classes_rank_above_a_password(mfa_class):
    achieved = second_factor_sign_in(mfa_class)
    assert authn_context_choose(None, achieved=achieved) == mfa_class
    minimum = RequestedAuthnContext(
        class_refs=(AC_PASSWORD_PROTECTED_TRANSPORT,), comparison="minimum"
    )
    assert authn_context_choose(minimum, achieved=achieved) == mfa_class
    # A password-only session cannot claim either.
    exact = RequestedAuthnContext(class_refs=(mfa_class,), comparison="exact")
    with pytest.raises(SamlStatusRefusal, match="NoAuthnContext"):
        authn_context_choose(exact, achieved=PASSWORD_SIGN_IN)
    # An SP asking exactly for a password still gets that truth from an MFA session.
    password = RequestedAuthnContext(class_refs=(AC_PASSWORD_PROTECTED_TRANSPORT,))
    assert authn_context_choose(password, achieved=achieved) == AC_PASSWORD_PROTECTED_TRANSPORT


def test_the_default_refeds_mfa_meets_a_minimum_of_mobile_two_factor_but_not_back():
    mobile = RequestedAuthnContext(
        class_refs=(AC_MOBILE_TWO_FACTOR_CONTRACT,), comparison="minimum"
    )
    assert authn_context_choose(mobile, achieved=second_factor_sign_in(AC_REFEDS_MFA)) == (
        AC_REFEDS_MFA
    )
    refeds = RequestedAuthnContext(class_refs=(AC_REFEDS_MFA,), comparison="minimum")
    with pytest.raises(SamlStatusRefusal):
        authn_context_choose(refeds, achieved=second_factor_sign_in(AC_MOBILE_TWO_FACTOR_CONTRACT))


def test_declarations_alone_cannot_be_satisfied():
    with pytest.raises(SamlStatusRefusal, match="NoAuthnContext"):
        authn_context_choose(
            RequestedAuthnContext(class_refs=(), decl_refs=("urn:decl",)),
            achieved=PASSWORD_SIGN_IN,
        )


def test_status_element_carries_both_levels_and_the_message():
    element = invalid_nameid_policy("no").status.to_element()
    assert isinstance(element, samlp.Status)
    assert element.status_code.value == STATUS_REQUESTER
    assert element.status_code.status_code.value == STATUS_INVALID_NAMEID_POLICY
    assert element.status_message.text == "no"
