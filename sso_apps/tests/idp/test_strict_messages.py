"""Strict incoming messages over HTTP: comment injection, Destination, SHA-1 and RelayState."""

import base64
import datetime
import uuid
import zlib
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from onelogin.saml2.constants import OneLogin_Saml2_Constants as Constants
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from sso_apps.models import AuditEvent
from sso_apps.saml import constants
from sso_apps.saml.bindings import sign_redirect
from sso_apps.saml.keys import generate_key_pair
from sso_apps.saml.parsing import parse_xml, verify_enveloped_signature
from sso_apps.services import saml_configs
from sso_apps.tests.idp.flows import answered, response_fields
from sso_apps.tests.idp.sp_harness import SP_ACS_URL, SP_ENTITY_ID, SP_SLO_URL

SP_KEYS = generate_key_pair(common_name="sp.example.com")
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
NO_DESTINATION = object()


def _envelope(kind: str, body: str, *, destination, extra_attributes: str = "") -> str:
    issued = datetime.datetime.now(datetime.UTC)
    destination_attribute = "" if destination is NO_DESTINATION else f' Destination="{destination}"'
    return (
        f'<samlp:{kind} xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="_{uuid.uuid4().hex}"'
        f' Version="2.0" IssueInstant="{issued:%Y-%m-%dT%H:%M:%SZ}"{destination_attribute}'
        f"{extra_attributes}><saml:Issuer>{SP_ENTITY_ID}</saml:Issuer>{body}</samlp:{kind}>"
    )


def authn_request(application, *, destination=None) -> str:
    return _envelope(
        "AuthnRequest",
        "",
        destination=application.idp_sso_url if destination is None else destination,
        extra_attributes=f' AssertionConsumerServiceURL="{SP_ACS_URL}"',
    )


def logout_request(application, *, name_id="ada@example.com", destination=None) -> str:
    return _envelope(
        "LogoutRequest",
        "<saml:NameID Format='urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'>"
        f"{name_id}</saml:NameID>",
        destination=application.idp_slo_url if destination is None else destination,
    )


def sign_enveloped(xml: str, *, sha1: bool = False) -> str:
    # python3-saml signs, so these tests do not verify with the code that produced them.
    signed = OneLogin_Saml2_Utils.add_sign(
        xml,
        SP_KEYS.private_key_pem,
        SP_KEYS.certificate_pem,
        sign_algorithm=Constants.RSA_SHA1 if sha1 else Constants.RSA_SHA256,
        digest_algorithm=Constants.SHA1 if sha1 else Constants.SHA256,
    )
    return signed.decode() if isinstance(signed, bytes) else signed


def send(client, url_name, application, xml: str, *, binding: str, relay_state=None):
    """Send an unsigned (or enveloped-signed) message over Redirect or POST."""
    path = reverse(url_name, args=[application.idp_suffix])
    if binding == "post":
        data = {"SAMLRequest": base64.b64encode(xml.encode()).decode()}
        if relay_state is not None:
            data["RelayState"] = relay_state
        return client.post(path, data)
    compressed = zlib.compress(xml.encode())[2:-4]
    query = f"SAMLRequest={quote(base64.b64encode(compressed).decode(), safe='')}"
    if relay_state is not None:
        query += f"&RelayState={quote(relay_state, safe='')}"
    return client.get(f"{path}?{query}")


def send_signed(client, url_name, application, xml: str, *, binding: str, sha1: bool = False):
    """Send a message signed by the SP's key as the binding requires."""
    if binding == "post":
        return send(client, url_name, application, sign_enveloped(xml, sha1=sha1), binding="post")
    query = sign_redirect(
        xml=xml,
        parameter="SAMLRequest",
        private_key_pem=SP_KEYS.private_key_pem,
        sig_alg=constants.RSA_SHA1 if sha1 else constants.RSA_SHA256,
    )
    return client.get(f"{reverse(url_name, args=[application.idp_suffix])}?{query}")


def assert_refused(response, action: str, reason: str):
    assert response.status_code == 400, response.status_code
    assert reason in response.text
    assert 'id="saml-post-form"' not in response.text
    assert not response.has_header("Location")
    event = AuditEvent.objects.filter(action=action, outcome="failure").latest("pk")
    assert reason in event.reason


@pytest.fixture
def signing_app(saml_app_factory):
    """An app whose SP signs with SP_KEYS, not requiring signatures (so both kinds arrive)."""
    return saml_app_factory(sp_certificate=SP_KEYS.certificate_pem)


def _member_of(application):
    return application.authorized_groups.get().members.get()


@pytest.fixture
def victim_browser(client, signing_app, password):
    """The victim signed in and launched the app, so SLO from its SP may end that session."""
    victim = _member_of(signing_app)
    client.post(reverse("console:login"), {"email": victim.email, "password": password})
    assert client.get(reverse("console:home")).status_code == 200
    # Single Logout ends only sessions the app's own assertions reached (hole 4).
    launch = client.post(reverse("saml:init", kwargs={"suffix": signing_app.idp_suffix}))
    assert b"SAMLResponse" in launch.content
    return client


# --- Hole 3: comment injection into a signed LogoutRequest's NameID -----------------------


@pytest.mark.django_db
def test_comment_injected_into_a_signed_logout_request_is_refused_and_ends_no_session(
    signing_app, victim_browser, user_factory
):
    user_factory(email="ada@example.com.evil.io")  # the attacker, signed out by their own SP
    signed = sign_enveloped(logout_request(signing_app, name_id="ada@example.com.evil.io"))
    tampered = signed.replace("ada@example.com.evil.io", "ada@example.com<!---->.evil.io")
    assert tampered != signed
    # Exclusive C14N leaves the comment out, so the tampered message still verifies: only
    # the strict reader stands between the attacker and the victim's sessions.
    verify_enveloped_signature(parse_xml(tampered), certificate_pem=SP_KEYS.certificate_pem)

    answer = send(Client(), "saml:slo", signing_app, tampered, binding="post")

    assert_refused(answer, "sso.logout", "comment or processing instruction")
    assert victim_browser.get(reverse("console:home")).status_code == 200


@pytest.mark.django_db
def test_the_untampered_signed_logout_request_is_accepted(signing_app, victim_browser):
    # Control for the test above: the same request, untouched, does sign its subject out.
    signed = sign_enveloped(logout_request(signing_app, name_id="ada@example.com"))

    answer = send(Client(), "saml:slo", signing_app, signed, binding="post")

    assert answer.status_code == 302
    assert answer["Location"].startswith(SP_SLO_URL + "?")
    assert victim_browser.get(reverse("console:home")).status_code == 302


# --- Destination: required when signed, and only the endpoint's own URL ---------------------


@pytest.mark.django_db
@pytest.mark.parametrize("binding", ["redirect", "post"])
def test_a_signed_authn_request_without_destination_is_refused(client, signing_app, binding):
    client.force_login(_member_of(signing_app))
    xml = authn_request(signing_app, destination=NO_DESTINATION)

    response = send_signed(client, "saml:sso", signing_app, xml, binding=binding)

    assert_refused(response, "sso.request", "names no Destination")
    with_destination = send_signed(
        client, "saml:sso", signing_app, authn_request(signing_app), binding=binding
    )
    assert answered(with_destination)


@pytest.mark.django_db
def test_a_signed_logout_request_without_destination_is_refused(signing_app, victim_browser):
    xml = logout_request(signing_app, destination=NO_DESTINATION)

    response = send_signed(Client(), "saml:slo", signing_app, xml, binding="redirect")

    assert_refused(response, "sso.logout", "names no Destination")
    assert victim_browser.get(reverse("console:home")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("binding", ["redirect", "post"])
def test_an_unsigned_authn_request_may_still_omit_destination(client, saml_app, member, binding):
    client.force_login(member)
    xml = authn_request(saml_app, destination=NO_DESTINATION)

    assert answered(send(client, "saml:sso", saml_app, xml, binding=binding))


@pytest.mark.django_db
@pytest.mark.parametrize("binding", ["redirect", "post"])
def test_an_authn_request_addressed_to_the_slo_url_is_refused(client, saml_app, member, binding):
    client.force_login(member)
    xml = authn_request(saml_app, destination=saml_app.idp_slo_url)

    response = send(client, "saml:sso", saml_app, xml, binding=binding)

    assert_refused(response, "sso.request", "not to this endpoint")


@pytest.mark.django_db
@pytest.mark.parametrize("binding", ["redirect", "post"])
def test_a_logout_request_addressed_to_the_sso_url_is_refused(client, saml_app, member, binding):
    client.force_login(member)
    xml = logout_request(saml_app, destination=saml_app.idp_sso_url)

    response = send(client, "saml:slo", saml_app, xml, binding=binding)

    assert_refused(response, "sso.logout", "not to this endpoint")
    assert "_auth_user_id" in client.session


# --- SHA-1 on incoming requests: its own legacy switch ------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("outgoing", ["rsa-sha1", "rsa-sha256"])
@pytest.mark.parametrize("binding", ["redirect", "post"])
def test_sha1_signed_requests_are_accepted_only_with_the_legacy_switch(
    client, saml_app_factory, outgoing, binding
):
    application = saml_app_factory(
        require_signed_requests=True,
        sp_certificate=SP_KEYS.certificate_pem,
        signature_algorithm=outgoing,
    )
    client.force_login(_member_of(application))

    refused = send_signed(
        client, "saml:sso", application, authn_request(application), binding=binding, sha1=True
    )
    assert_refused(refused, "sso.request", "is not accepted")

    saml_configs.saml_config_update(
        application=application, changes=saml_configs.SamlConfigInput(accept_sha1_requests=True)
    )
    application.refresh_from_db()
    accepted = send_signed(
        client, "saml:sso", application, authn_request(application), binding=binding, sha1=True
    )
    assert answered(accepted)


# --- RelayState cap ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("binding", ["redirect", "post"])
def test_relay_state_over_the_cap_is_refused_on_sso(client, saml_app, member, binding):
    client.force_login(member)

    refused = send(
        client,
        "saml:sso",
        saml_app,
        authn_request(saml_app),
        binding=binding,
        relay_state="a" * 1025,
    )
    assert_refused(refused, "sso.request", "The RelayState is 1025 bytes")

    accepted = send(
        client,
        "saml:sso",
        saml_app,
        authn_request(saml_app),
        binding=binding,
        relay_state="a" * 1024,
    )
    assert answered(accepted)
    assert response_fields(accepted)["RelayState"] == "a" * 1024


@pytest.mark.django_db
@pytest.mark.parametrize("binding", ["redirect", "post"])
def test_relay_state_over_the_cap_is_refused_on_slo(client, saml_app, member, binding):
    client.force_login(member)

    refused = send(
        client,
        "saml:slo",
        saml_app,
        logout_request(saml_app),
        binding=binding,
        relay_state="a" * 1025,
    )
    assert_refused(refused, "sso.logout", "The RelayState is 1025 bytes")
    assert "_auth_user_id" in client.session

    accepted = send(
        client,
        "saml:slo",
        saml_app,
        logout_request(saml_app),
        binding=binding,
        relay_state="a" * 1024,
    )
    assert accepted.status_code == 302
    assert f"RelayState={'a' * 1024}" in accepted["Location"]


@pytest.mark.django_db
def test_the_relay_state_cap_is_a_setting(client, saml_app, member, settings):
    settings.SSO_APPS_RELAY_STATE_MAX_BYTES = 16
    client.force_login(member)

    refused = send(
        client,
        "saml:sso",
        saml_app,
        authn_request(saml_app),
        binding="redirect",
        relay_state="a" * 17,
    )

    assert_refused(refused, "sso.request", "exceeds the allowed 16 bytes")
