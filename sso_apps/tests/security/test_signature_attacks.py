"""Attacks on request signatures, against an app that requires signed requests.

Each attack starts from a request the SP really signed (python3-saml for enveloped
signatures, the bindings spec's query-string signature for Redirect) and changes it the
way an attacker would. The first tests show the untouched requests are accepted, so each
refusal below is the signature defence's doing. Unit-level twins of several cases live in
sso_apps/tests/saml/test_parsing.py and test_bindings.py; these go through the endpoints.
"""

import pytest
from django.test import Client

from sso_apps.saml import algorithms
from sso_apps.tests.idp.flows import answered
from sso_apps.tests.security import attacks
from sso_apps.tests.security.attacks import (
    authn_request,
    hmac_redirect_query,
    logout_request,
    query_params,
    redirect_query,
    sign_enveloped,
    signed_redirect_query,
)
from sso_apps.tests.security.endpoints import (
    ENDPOINT_ACTIONS,
    assert_refused,
    audit_watermark,
    get_query,
    post_message,
)

KINDS = ["AuthnRequest", "LogoutRequest"]


@pytest.fixture(params=KINDS)
def target(request, client, signed_app, signed_member):
    """Return (endpoint, function building a fresh valid request) for each request kind."""
    client.force_login(signed_member)
    if request.param == "AuthnRequest":
        return "sso", lambda: authn_request(signed_app)
    session_index = request.getfixturevalue("signed_in_via_sso")
    request.getfixturevalue("victim_client")
    return "slo", lambda: logout_request(
        signed_app, name_id=signed_member.email, session_index=session_index
    )


def _refused(client, signed_app, endpoint, response, since):
    assert_refused(response, signed_app, action=ENDPOINT_ACTIONS[endpoint], since=since)
    # A refused LogoutRequest ends no session: neither the sender's nor anyone else's.
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("binding", ["post", "redirect"])
def test_untouched_signed_requests_are_accepted(client, signed_app, sp_keys, target, binding):
    endpoint, build = target
    if binding == "post":
        response = post_message(client, signed_app, endpoint, sign_enveloped(build(), sp_keys))
    else:
        response = get_query(client, signed_app, endpoint, signed_redirect_query(build(), sp_keys))
    if endpoint == "sso":
        # A signed-in member's AuthnRequest is answered at once with the Response.
        assert answered(response)
    else:
        assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("attack", attacks.WRAPPING_ATTACKS, ids=lambda a: a.__name__)
def test_tampered_enveloped_signature_is_refused(client, signed_app, sp_keys, target, attack):
    endpoint, build = target
    since = audit_watermark()
    forged = attack(sign_enveloped(build(), sp_keys))
    _refused(
        client, signed_app, endpoint, post_message(client, signed_app, endpoint, forged), since
    )


@pytest.mark.django_db
def test_enveloped_signature_does_not_sign_a_redirect_message(client, signed_app, sp_keys, target):
    # The Redirect binding signs the query string; an XML signature inside is not a signature.
    endpoint, build = target
    since = audit_watermark()
    query = redirect_query(sign_enveloped(build(), sp_keys))
    _refused(client, signed_app, endpoint, get_query(client, signed_app, endpoint, query), since)


@pytest.mark.django_db
@pytest.mark.parametrize("binding", ["post", "redirect"])
def test_sha1_downgrade_is_refused(client, signed_app, sp_keys, target, binding):
    endpoint, build = target
    since = audit_watermark()
    if binding == "post":
        sha1 = sign_enveloped(
            build(), sp_keys, sign_alg=algorithms.RSA_SHA1, digest_alg=algorithms.SHA1
        )
        response = post_message(client, signed_app, endpoint, sha1)
    else:
        query = signed_redirect_query(build(), sp_keys, sig_alg=algorithms.RSA_SHA1)
        response = get_query(client, signed_app, endpoint, query)
    _refused(client, signed_app, endpoint, response, since)


@pytest.mark.django_db
def test_hmac_keyed_with_the_sp_certificate_is_refused(client, signed_app, sp_keys, target):
    endpoint, build = target
    since = audit_watermark()
    query = hmac_redirect_query(build(), sp_keys)
    _refused(client, signed_app, endpoint, get_query(client, signed_app, endpoint, query), since)


def _relay_state_appended(query, other):
    return f"{query}&RelayState=https%3A%2F%2Fevil.example.com%2F"


def _relay_state_replaced(query, other):
    signed = signed_redirect_query(
        other["xml"], other["keys"], relay_state="https://sp.example.com/"
    )
    return signed.replace("sp.example.com", "evil.example.com")


def _transplanted_signature(query, other):
    # The signature of one genuine request carried over to another (here: a fresh ID).
    donor = query_params(signed_redirect_query(other["xml"], other["keys"]))
    return f"{query.split('&')[0]}&SigAlg={donor['SigAlg']}&Signature={donor['Signature']}"


def _sig_alg_without_signature(query, other):
    return "&".join(p for p in query.split("&") if not p.startswith("Signature="))


def _signature_without_sig_alg(query, other):
    return "&".join(p for p in query.split("&") if not p.startswith("SigAlg="))


def _unsigned(query, other):
    return query.split("&")[0]


def _duplicated(name, *, encoded_name=None):
    def trick(query, other):
        params = query_params(query)
        if name == "RelayState":
            params["RelayState"] = "https%3A%2F%2Fsp.example.com%2F"
        extra = query_params(redirect_query(other["xml"], relay_state="https://evil.example.com/"))
        value = extra.get(name) or params[name]
        return f"{query}&{encoded_name or name}={value}"

    trick.__name__ = f"duplicated_{name}" + ("_percent_encoded" if encoded_name else "")
    return trick


REDIRECT_TRICKS = [
    _relay_state_appended,
    _relay_state_replaced,
    _transplanted_signature,
    _sig_alg_without_signature,
    _signature_without_sig_alg,
    _unsigned,
    _duplicated("SAMLRequest"),
    _duplicated("SAMLRequest", encoded_name="SAML%52equest"),
    _duplicated("Signature"),
    _duplicated("SigAlg"),
    _duplicated("RelayState"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("trick", REDIRECT_TRICKS, ids=lambda t: t.__name__.strip("_"))
def test_redirect_signature_tricks_are_refused(client, signed_app, sp_keys, target, trick):
    endpoint, build = target
    since = audit_watermark()
    query = trick(signed_redirect_query(build(), sp_keys), {"xml": build(), "keys": sp_keys})
    _refused(client, signed_app, endpoint, get_query(client, signed_app, endpoint, query), since)


@pytest.mark.django_db
def test_a_request_signed_by_another_key_is_refused(client, signed_app, target):
    endpoint, build = target
    attacker = attacks.key_pair("attacker.example.com")
    since = audit_watermark()
    response = post_message(client, signed_app, endpoint, sign_enveloped(build(), attacker))
    _refused(client, signed_app, endpoint, response, since)
    since = audit_watermark()
    response = get_query(client, signed_app, endpoint, signed_redirect_query(build(), attacker))
    _refused(client, signed_app, endpoint, response, since)


@pytest.mark.django_db
def test_a_refused_logout_request_leaves_the_victim_signed_in(
    signed_app, sp_keys, signed_member, victim_client
):
    forged = attacks.signature_on_root_pointing_into_extensions(
        sign_enveloped(logout_request(signed_app, name_id=signed_member.email), sp_keys)
    )
    since = audit_watermark()
    # Sent cross-site, as an SP's POST would be: the victim's session is not in it.
    response = post_message(Client(), signed_app, "slo", forged)
    assert_refused(response, signed_app, action="sso.logout", since=since)
    assert "_auth_user_id" in victim_client.session
