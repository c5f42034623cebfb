"""Everything the IdP must refuse, and what the SPs must refuse of a tampered Response."""

import base64
import datetime
import time
import uuid
import zlib
from urllib.parse import quote

import pytest
from django.urls import reverse

from accounts.models import User
from sso_apps.models import AuditEvent
from sso_apps.saml.bindings import sign_redirect
from sso_apps.saml.keys import generate_key_pair
from sso_apps.services import applications as app_services
from sso_apps.tests.idp.flows import answered, onelogin_sp, response_fields, sso_redirect
from sso_apps.tests.idp.sp_harness import SP_ACS_URL, SP_ENTITY_ID, path_and_query


def authn_request(
    application,
    *,
    issuer=SP_ENTITY_ID,
    acs_url=SP_ACS_URL,
    destination=None,
    issued=None,
    request_id=None,
    prolog="",
) -> str:
    issued = issued or datetime.datetime.now(datetime.UTC)
    destination = destination or application.idp_sso_url
    request_id = request_id or "_" + uuid.uuid4().hex
    return (
        f"{prolog}<samlp:AuthnRequest xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol' "
        f"xmlns:saml='urn:oasis:names:tc:SAML:2.0:assertion' ID='{request_id}' "
        f"Version='2.0' IssueInstant='{issued:%Y-%m-%dT%H:%M:%SZ}' Destination='{destination}' "
        f"AssertionConsumerServiceURL='{acs_url}'>"
        f"<saml:Issuer>{issuer}</saml:Issuer></samlp:AuthnRequest>"
    )


def redirect_path(application, xml: str) -> str:
    compressed = zlib.compress(xml.encode())[2:-4]
    encoded = quote(base64.b64encode(compressed).decode(), safe="")
    return f"{reverse('saml:sso', args=[application.idp_suffix])}?SAMLRequest={encoded}"


def assert_refused(response, reason: str):
    assert response.status_code == 400, response.status_code
    assert reason in response.text
    assert 'id="saml-post-form"' not in response.text
    assert not response.has_header("Location")


@pytest.fixture
def signed_in(client, saml_app, member):
    client.force_login(member)
    return client


@pytest.mark.django_db
def test_hand_made_request_passes_so_the_refusals_below_test_one_thing_each(signed_in, saml_app):
    fields = response_fields(
        sso_redirect(signed_in, redirect_path(saml_app, authn_request(saml_app)))
    )
    assert fields["action"] == SP_ACS_URL


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"issuer": "https://evil.example.com/sp"}, "is not this application"),
        ({"acs_url": "https://evil.example.com/acs"}, "is not registered"),
        ({"destination": "https://other-idp.example.com/sso"}, "not to this endpoint"),
        # Offsets, not instants: "now" is taken when the test runs, not when it is collected,
        # which under a long suite is long enough before to put "+10 min" inside the skew.
        ({"issued": datetime.timedelta(minutes=-10)}, "too old or from the future"),
        ({"issued": datetime.timedelta(minutes=10)}, "too old or from the future"),
    ],
)
def test_idp_refuses_bad_requests_without_redirecting(signed_in, saml_app, changes, reason):
    if isinstance(changes.get("issued"), datetime.timedelta):
        changes = {**changes, "issued": datetime.datetime.now(datetime.UTC) + changes["issued"]}
    response = signed_in.get(redirect_path(saml_app, authn_request(saml_app, **changes)))
    assert_refused(response, reason)
    event = AuditEvent.objects.get(action="sso.request")
    assert (event.outcome, event.binding, event.sp_entity_id) == (
        "failure",
        "redirect",
        SP_ENTITY_ID,
    )
    assert reason in event.reason


@pytest.mark.django_db
def test_replayed_request_id_is_refused(signed_in, saml_app):
    path = redirect_path(saml_app, authn_request(saml_app, request_id="_replay-me"))
    assert answered(signed_in.get(path))
    assert_refused(signed_in.get(path), "already used")


@pytest.mark.django_db
def test_clock_skew_is_configurable(signed_in, saml_app, settings):
    settings.SSO_APPS_CLOCK_SKEW_SECONDS = 900
    issued = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=10)
    response = signed_in.get(redirect_path(saml_app, authn_request(saml_app, issued=issued)))
    assert answered(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "prolog",
    [
        "<!DOCTYPE x [<!ENTITY e 'boom'>]>",
        "<!DOCTYPE x SYSTEM 'http://127.0.0.1:9/evil.dtd'>",
        "<!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>]>",
    ],
)
def test_dtd_and_entity_payloads_are_refused(signed_in, saml_app, prolog):
    response = signed_in.get(redirect_path(saml_app, authn_request(saml_app, prolog=prolog)))
    assert response.status_code == 400
    assert "DTD" in response.text or "entit" in response.text.lower()


@pytest.mark.django_db
def test_deflate_bomb_is_refused_quickly(signed_in, saml_app):
    bomb = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = bomb.compress(b"<" + b"A" * (100 * 1024 * 1024)) + bomb.flush()
    path = reverse("saml:sso", args=[saml_app.idp_suffix])
    started = time.monotonic()
    response = signed_in.post(path, {"SAMLRequest": "x"})  # warm-up: a plain bad request
    response = signed_in.get(
        f"{path}?SAMLRequest={quote(base64.b64encode(payload).decode(), safe='')}"
    )
    assert response.status_code == 400
    assert "exceeds" in response.text
    assert time.monotonic() - started < 5


@pytest.mark.django_db
def test_bad_redirect_signature_is_refused(client, saml_app_factory):
    sp_keys = generate_key_pair(common_name="sp")
    attacker = generate_key_pair(common_name="attacker")
    application = saml_app_factory(
        require_signed_requests=True, sp_certificate=sp_keys.certificate_pem
    )
    client.force_login(application.authorized_groups.get().members.get())
    query = sign_redirect(
        xml=authn_request(application),
        parameter="SAMLRequest",
        private_key_pem=attacker.private_key_pem,
    )
    response = client.get(f"{reverse('saml:sso', args=[application.idp_suffix])}?{query}")
    assert_refused(response, "does not match")
    good = sign_redirect(
        xml=authn_request(application),
        parameter="SAMLRequest",
        private_key_pem=sp_keys.private_key_pem,
    )
    assert answered(client.get(f"{reverse('saml:sso', args=[application.idp_suffix])}?{good}"))


@pytest.mark.django_db
def test_relay_state_tampered_after_signing_is_refused(client, saml_app_factory):
    sp_keys = generate_key_pair(common_name="sp")
    application = saml_app_factory(
        require_signed_requests=True, sp_certificate=sp_keys.certificate_pem
    )
    client.force_login(application.authorized_groups.get().members.get())
    query = sign_redirect(
        xml=authn_request(application),
        parameter="SAMLRequest",
        relay_state="https://sp.example.com/ok",
        private_key_pem=sp_keys.private_key_pem,
    )
    query = query.replace(quote("https://sp.example.com/ok", safe=""), "https%3A%2F%2Fevil.example")
    response = client.get(f"{reverse('saml:sso', args=[application.idp_suffix])}?{query}")
    assert response.status_code == 400


def _no_response(response):
    assert response.status_code == 403
    assert 'id="saml-post-form"' not in response.text
    assert "SAMLResponse" not in response.text
    assert "You do not have access to Test SP" in response.text


@pytest.mark.django_db
def test_user_outside_the_authorised_groups_gets_403(client, saml_app, user_factory):
    client.force_login(user_factory(email="outsider@example.com"))
    url, _ = onelogin_sp(client, saml_app).login_url()
    _no_response(sso_redirect(client, url))
    _no_response(client.post(reverse("saml:init", args=[saml_app.idp_suffix])))
    event = AuditEvent.objects.filter(action="sso.login", outcome="denied").first()
    assert event.actor_email == "outsider@example.com"


@pytest.mark.django_db
@pytest.mark.parametrize("state", [User.State.SUSPENDED, User.State.STAGED])
def test_suspended_or_staged_user_gets_403_and_no_response(client, saml_app, member, state):
    client.force_login(member)
    User.objects.filter(pk=member.pk).update(state=state)
    url, _ = onelogin_sp(client, saml_app).login_url()
    _no_response(sso_redirect(client, url))
    _no_response(client.post(reverse("saml:init", args=[saml_app.idp_suffix])))
    event = AuditEvent.objects.filter(action="sso.login", outcome="denied").first()
    assert (event.actor_email, event.reason) == ("ada@example.com", "The account is not active.")


@pytest.mark.django_db
def test_deactivated_app_gets_403_and_no_response(client, saml_app, member):
    client.force_login(member)
    app_services.application_sso_deactivate(application=saml_app)
    url, _ = onelogin_sp(client, saml_app).login_url()
    _no_response(sso_redirect(client, url))
    _no_response(client.post(reverse("saml:init", args=[saml_app.idp_suffix])))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("original", "forged"),
    [(b"ada@example.com</saml:NameID>", b"eve@example.com</saml:NameID>"), (b">Ada<", b">Eve<")],
)
def test_sps_reject_a_response_tampered_after_signing(client, saml_app, member, original, forged):
    client.force_login(member)
    sp = onelogin_sp(client, saml_app)
    url, request_id = sp.login_url()
    fields = response_fields(sso_redirect(client, url))
    xml = base64.b64decode(fields["SAMLResponse"])
    assert original in xml
    fields["SAMLResponse"] = base64.b64encode(xml.replace(original, forged)).decode()
    auth = sp.acs(fields, request_id)
    assert not auth.is_authenticated()
    assert auth.get_errors()


@pytest.mark.django_db
def test_unknown_application_suffix_is_404(client):
    assert client.get("/saml2/no-such-app").status_code == 404


@pytest.mark.django_db
def test_continue_without_a_pending_request_is_refused(signed_in, saml_app):
    response = signed_in.get(reverse("saml:continue", args=[saml_app.idp_suffix]))
    assert response.status_code == 400
    assert "no sign-in request waiting" in response.text


@pytest.mark.django_db
def test_idp_initiated_launch_needs_a_csrf_token(saml_app, member):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    response = browser.post(reverse("saml:init", args=[saml_app.idp_suffix]))
    assert response.status_code == 403
    assert 'id="saml-post-form"' not in response.text


def test_path_and_query_keeps_the_query():
    assert path_and_query("http://h/a/b?x=1") == "/a/b?x=1"


@pytest.mark.django_db
def test_expired_request_ids_are_purged_by_the_beat_task(signed_in, saml_app):
    from sso_apps.models import SeenSamlRequest
    from sso_apps.tasks import saml_seen_requests_purge

    signed_in.get(redirect_path(saml_app, authn_request(saml_app)))
    SeenSamlRequest.objects.create(
        application=saml_app,
        request_id="_old",
        expires_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1),
    )
    assert saml_seen_requests_purge.delay().get() == 1
    assert list(SeenSamlRequest.objects.values_list("request_id", flat=True)) != ["_old"]
    assert SeenSamlRequest.objects.count() == 1
