"""What an AuthnRequest may ask of the sign-in, judged by python3-saml and pysaml2 SPs.

NameIDPolicy, ForceAuthn, IsPassive and RequestedAuthnContext, and the AuthnInstant and
SessionNotOnOrAfter every AuthnStatement carries. Requests are the SP libraries' own
(signed where the app requires it); answers are read from the Response as an SP reads them.
"""

import base64
import datetime
import re
import uuid
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.response import (
    StatusInvalidNameidPolicy,
    StatusNoAuthnContext,
    StatusNoPassive,
    StatusRequestDenied,
)

from accounts.middleware import AUTHENTICATED_AT_KEY
from sso_apps.idp import pending_login
from sso_apps.models import AuditEvent, SpSession
from sso_apps.saml.constants import (
    AC_PASSWORD,
    AC_PASSWORD_PROTECTED_TRANSPORT,
    AC_REFEDS_MFA,
    NAMEID_EMAIL_ADDRESS,
    NAMEID_FORMAT_URIS,
    NAMEID_PERSISTENT,
    NAMEID_TRANSIENT,
    NAMEID_UNSPECIFIED,
    STATUS_INVALID_NAMEID_POLICY,
    STATUS_NO_AUTHN_CONTEXT,
    STATUS_NO_PASSIVE,
    STATUS_REQUEST_DENIED,
    STATUS_REQUESTER,
    STATUS_RESPONDER,
)
from sso_apps.saml.keys import generate_key_pair
from sso_apps.services import saml_configs
from sso_apps.tests.idp.flows import onelogin_sp, response_fields, sso_redirect
from sso_apps.tests.idp.sp_harness import (
    PYSAML2_ACS_URL,
    PYSAML2_SLO_URL,
    PYSAML2_SP_ENTITY_ID,
    SP_ACS_URL,
    path_and_query,
    posted_form,
    pysaml2_client,
)

NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
}
TIME_SYNC_TOKEN = "urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken"
X509_SUBJECT = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"


@pytest.fixture(scope="module")
def sp_keys():
    return generate_key_pair(common_name="sp.example.com")


@pytest.fixture
def signed_app_factory(saml_app_factory, sp_keys):
    """Apps that require signed AuthnRequests, so every request here is a signed one."""

    def make(**config):
        return saml_app_factory(
            require_signed_requests=True, sp_certificate=sp_keys.certificate_pem, **config
        )

    return make


def _sp(client, application, sp_keys, **options):
    return onelogin_sp(
        client,
        application,
        sign_requests=True,
        sp_certificate_pem=sp_keys.certificate_pem,
        sp_private_key_pem=sp_keys.private_key_pem,
        **options,
    )


def _xml(fields) -> etree._Element:
    return etree.fromstring(base64.b64decode(fields["SAMLResponse"]))


def _status(fields) -> tuple[str, str | None]:
    top = _xml(fields).find("samlp:Status/samlp:StatusCode", NS)
    second = top.find("samlp:StatusCode", NS)
    return top.get("Value"), None if second is None else second.get("Value")


def _statement(fields) -> etree._Element:
    statement = _xml(fields).find("saml:Assertion/saml:AuthnStatement", NS)
    assert statement is not None
    return statement


def _instant(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _assert_signed_status_response(sp, fields, request_id, *, top, second):
    """The SP got a Response at its ACS, signed by the IdP, with exactly these codes."""
    assert fields["action"] == SP_ACS_URL
    root = _xml(fields)
    assert root.get("InResponseTo") == request_id
    assert root.find("saml:Assertion", NS) is None
    assert OneLogin_Saml2_Utils.validate_sign(
        etree.tostring(root), sp.settings["idp"]["x509cert"], raise_exceptions=True
    )
    assert _status(fields) == (top, second)
    auth = sp.acs({k: v for k, v in fields.items() if k != "action"}, request_id)
    assert not auth.is_authenticated()
    assert top.rpartition(":")[2] in auth.get_last_error_reason()


def _member(application):
    return application.authorized_groups.get().members.get()


def _last_login_event():
    return AuditEvent.objects.filter(action="sso.login").order_by("-pk").first()


# --- NameIDPolicy ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("configured", "requested", "override", "issued"),
    [
        # Unspecified (or no policy) leaves the choice to us: the configured format.
        ("emailAddress", NAMEID_UNSPECIFIED, False, NAMEID_EMAIL_ADDRESS),
        ("persistent", NAMEID_UNSPECIFIED, False, NAMEID_PERSISTENT),
        ("emailAddress", NAMEID_EMAIL_ADDRESS, False, NAMEID_EMAIL_ADDRESS),
        ("transient", NAMEID_TRANSIENT, False, NAMEID_TRANSIENT),
        # The app lets the SP choose: any format we can issue.
        ("emailAddress", NAMEID_TRANSIENT, True, NAMEID_TRANSIENT),
        ("persistent", NAMEID_TRANSIENT, True, NAMEID_TRANSIENT),
        ("emailAddress", NAMEID_PERSISTENT, True, NAMEID_PERSISTENT),
        ("persistent", NAMEID_EMAIL_ADDRESS, True, NAMEID_EMAIL_ADDRESS),
    ],
)
def test_nameid_policy_format_is_honoured_when_the_app_can_issue_it(
    client, signed_app_factory, sp_keys, configured, requested, override, issued
):
    application = signed_app_factory(
        nameid_format=configured, allow_requested_nameid_format=override
    )
    client.force_login(application.authorized_groups.get().members.get())
    sp = _sp(client, application, sp_keys, requested_nameid_format=requested)
    url, request_id = sp.login_url()
    fields = response_fields(sso_redirect(client, url))
    auth = sp.acs(fields, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.get_nameid_format() == issued
    if issued == NAMEID_EMAIL_ADDRESS:
        assert auth.get_nameid() == "ada@example.com"
    elif issued == NAMEID_PERSISTENT:
        assert str(uuid.UUID(auth.get_nameid())) == auth.get_nameid()
    else:
        # A random hex identifier, nothing of the user's (hex can spell "ada" by chance).
        assert re.fullmatch(r"_[0-9a-f]{40}", auth.get_nameid()), auth.get_nameid()
    # Single Logout must match what the SP received.
    assert SpSession.objects.get().name_id_format == issued
    event = _last_login_event()
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.details["nameid_format"] == issued
    assert event.details["requested_nameid_format"] == requested


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("configured", "requested", "override"),
    [
        # Not allowed to choose: a different explicit format is refused, never swapped.
        ("emailAddress", NAMEID_TRANSIENT, False),
        ("persistent", NAMEID_EMAIL_ADDRESS, False),
        ("transient", NAMEID_PERSISTENT, False),
        # Allowed to choose, but a format we never issue.
        ("emailAddress", X509_SUBJECT, True),
    ],
)
def test_nameid_policy_the_app_cannot_honour_gets_a_signed_invalid_nameid_policy(
    client, signed_app_factory, sp_keys, configured, requested, override
):
    application = signed_app_factory(
        nameid_format=configured, allow_requested_nameid_format=override
    )
    client.force_login(application.authorized_groups.get().members.get())
    sp = _sp(client, application, sp_keys, requested_nameid_format=requested)
    url, request_id = sp.login_url()
    # Answered at once, before any sign-in: straight from the SSO URL to the ACS.
    page = client.get(path_and_query(url))
    fields = response_fields(page)
    _assert_signed_status_response(
        sp, fields, request_id, top=STATUS_REQUESTER, second=STATUS_INVALID_NAMEID_POLICY
    )
    assert not SpSession.objects.exists()
    event = _last_login_event()
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert event.details["status"] == "InvalidNameIDPolicy"
    assert event.reason.startswith("InvalidNameIDPolicy")


@pytest.mark.django_db
def test_invalid_nameid_policy_comes_before_the_sign_in_page(client, signed_app_factory, sp_keys):
    application = signed_app_factory(nameid_format="emailAddress")
    sp = _sp(client, application, sp_keys, requested_nameid_format=NAMEID_TRANSIENT)
    url, request_id = sp.login_url()
    page = client.get(path_and_query(url))  # nobody signed in
    _assert_signed_status_response(
        sp,
        response_fields(page),
        request_id,
        top=STATUS_REQUESTER,
        second=STATUS_INVALID_NAMEID_POLICY,
    )


@pytest.fixture
def pysaml2_app(saml_app_factory):
    from sso_apps.services.saml_configs import AcsUrlInput

    def make(**config):
        application = saml_app_factory(**config)
        saml_configs.saml_config_update(
            application=application,
            changes=saml_configs.SamlConfigInput(
                sp_entity_id=PYSAML2_SP_ENTITY_ID, sp_logout_url=PYSAML2_SLO_URL
            ),
            acs_urls=[AcsUrlInput(url=PYSAML2_ACS_URL, is_default=True)],
        )
        application.refresh_from_db()
        return application

    return make


@pytest.fixture
def sp_key_files(tmp_path, sp_keys):
    key_file, cert_file = tmp_path / "sp.key", tmp_path / "sp.pem"
    key_file.write_text(sp_keys.private_key_pem)
    cert_file.write_text(sp_keys.certificate_pem)
    return str(key_file), str(cert_file)


def _pysaml2(client, application, sp_key_files):
    metadata = client.get(reverse("saml:metadata", args=[application.idp_suffix])).text
    key_file, cert_file = sp_key_files
    return pysaml2_client(metadata, key_file=key_file, cert_file=cert_file)


def _pysaml2_login(client, application, sp, **request_options):
    """Send pysaml2's signed Redirect AuthnRequest; return (request ID, POST form fields)."""
    request_id, info = sp.prepare_for_authenticate(
        entityid=application.saml.idp_entity_id,
        relay_state="/after",
        binding=BINDING_HTTP_REDIRECT,
        sign=True,
        sigalg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        digest_alg="http://www.w3.org/2001/04/xmlenc#sha256",
        **request_options,
    )
    return request_id, response_fields(sso_redirect(client, dict(info["headers"])["Location"]))


def _pysaml2_parse(sp, fields, request_id):
    return sp.parse_authn_request_response(
        fields["SAMLResponse"], BINDING_HTTP_POST, outstanding={request_id: "/after"}
    )


@pytest.mark.django_db
def test_allow_create_false_without_a_persistent_id_is_invalid_nameid_policy_then_reused(
    client, pysaml2_app, sp_keys, sp_key_files
):
    application = pysaml2_app(
        nameid_format="persistent",
        require_signed_requests=True,
        sp_certificate=sp_keys.certificate_pem,
    )
    client.force_login(application.authorized_groups.get().members.get())
    sp = _pysaml2(client, application, sp_key_files)
    request_id, fields = _pysaml2_login(
        client, application, sp, nameid_format=NAMEID_PERSISTENT, allow_create="false"
    )
    assert _status(fields) == (STATUS_REQUESTER, STATUS_INVALID_NAMEID_POLICY)
    # pysaml2 verifies the Response's signature before it reads the status.
    with pytest.raises(StatusInvalidNameidPolicy):
        _pysaml2_parse(sp, fields, request_id)
    assert _last_login_event().details["allow_create"] is False

    request_id, fields = _pysaml2_login(
        client, application, sp, nameid_format=NAMEID_PERSISTENT, allow_create="true"
    )
    created = _pysaml2_parse(sp, fields, request_id).name_id.text

    # Now one exists, AllowCreate="false" may use it.
    request_id, fields = _pysaml2_login(
        client, application, sp, nameid_format=NAMEID_PERSISTENT, allow_create="false"
    )
    assert _pysaml2_parse(sp, fields, request_id).name_id.text == created


# --- ForceAuthn -------------------------------------------------------------------------


@pytest.mark.django_db
def test_force_authn_asks_the_signed_in_user_for_the_password_again_then_continues(
    client, signed_app_factory, sp_keys, password
):
    application = signed_app_factory()
    user = application.authorized_groups.get().members.get()
    client.force_login(user)
    session_key = client.session.session_key
    sp = _sp(client, application, sp_keys)
    # An earlier sign-in to the app, recorded for Single Logout under this session.
    url, request_id = sp.login_url()
    assert sp.acs(response_fields(sso_redirect(client, url)), request_id).is_authenticated()

    url, request_id = sp.login_url(force_authn=True)
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    continue_url = client.get(path_and_query(url))["Location"]
    reauth = client.get(continue_url)
    assert reauth.status_code == 302
    assert reauth["Location"].startswith(reverse("console:reauthenticate"))
    page = client.get(reauth["Location"])
    assert page.status_code == 200
    assert "Confirm it’s you" in page.text and user.email in page.text

    wrong = client.post(reauth["Location"], {"password": "not-it", "next": continue_url})
    assert wrong.status_code == 200 and "That password is not right" in wrong.text
    # Still waiting, still asking.
    assert client.get(continue_url)["Location"].startswith(reverse("console:reauthenticate"))

    right = client.post(reauth["Location"], {"password": password, "next": continue_url})
    assert right.status_code == 302 and right["Location"] == continue_url
    fields = response_fields(client.get(continue_url))
    auth = sp.acs(fields, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.get_nameid() == user.email
    assert _instant(_statement(fields).get("AuthnInstant")) >= before
    # The same IdP session: both SP sessions stay under one key for Single Logout.
    assert client.session.session_key == session_key
    assert set(SpSession.objects.values_list("session_key", flat=True)) == {session_key}
    outcomes = list(
        AuditEvent.objects.filter(action="console.reauthenticate")
        .order_by("pk")
        .values_list("outcome", flat=True)
    )
    assert outcomes == [AuditEvent.Outcome.FAILURE, AuditEvent.Outcome.SUCCESS]
    assert _last_login_event().details["force_authn"] is True


@pytest.mark.django_db
def test_force_authn_for_a_user_not_yet_signed_in_asks_for_the_password_once(
    client, signed_app_factory, sp_keys, password
):
    application = signed_app_factory()
    member = _member(application)
    sp = _sp(client, application, sp_keys)
    url, request_id = sp.login_url(force_authn=True)
    continue_url = client.get(path_and_query(url))["Location"]
    login = client.get(continue_url)
    assert login["Location"].startswith(reverse("console:login"))
    client.post(login["Location"], {"email": member.email, "password": password})
    page = client.get(continue_url)
    action, fields = posted_form(page.text)
    assert sp.acs(fields, request_id).is_authenticated()


@pytest.mark.django_db
def test_a_session_ending_during_the_force_authn_detour_sends_the_sp_nothing(
    client, signed_app_factory, sp_keys, password, monkeypatch, settings
):
    application = signed_app_factory()
    member = _member(application)
    client.force_login(member)
    sp = _sp(client, application, sp_keys)
    url, _ = sp.login_url(force_authn=True)
    continue_url = client.get(path_and_query(url))["Location"]
    assert continue_url == reverse("saml:continue", args=[application.idp_suffix])
    # The idle timeout passes during the detour: the session, the waiting request with
    # it, is flushed.
    later = int(datetime.datetime.now(datetime.UTC).timestamp())
    later += settings.TESSERA_SESSION_IDLE_TIMEOUT_SECONDS + 60
    monkeypatch.setattr("accounts.middleware._now", lambda: later)

    login = client.get(continue_url)

    assert login.status_code == 302 and login["Location"].startswith(reverse("console:login"))
    monkeypatch.undo()
    client.post(login["Location"], {"email": member.email, "password": password})
    page = client.get(continue_url)
    assert page.status_code == 400 and "no sign-in request waiting" in page.text
    assert not SpSession.objects.exists()


@pytest.mark.django_db
def test_reauthentication_cannot_be_used_to_switch_user(client, signed_app_factory, user_factory):
    signed_app_factory()
    other = user_factory(email="eve@example.com")
    ada = __import__("accounts.models", fromlist=["User"]).User.objects.get(email="ada@example.com")
    client.force_login(ada)
    page = client.post(
        reverse("console:reauthenticate"),
        {"email": other.email, "password": "the-default-password-of-eve"},
    )
    assert page.status_code == 200
    assert client.session["_auth_user_id"] == str(ada.pk)


# --- IsPassive --------------------------------------------------------------------------


@pytest.mark.django_db
def test_is_passive_without_a_session_answers_no_passive_and_shows_no_sign_in(
    client, signed_app_factory, sp_keys
):
    application = signed_app_factory()
    sp = _sp(client, application, sp_keys)
    url, request_id = sp.login_url(is_passive=True)
    page = client.get(path_and_query(url))
    assert page.status_code == 200  # the POST form to the ACS, not a redirect to sign in
    _assert_signed_status_response(
        sp, response_fields(page), request_id, top=STATUS_RESPONDER, second=STATUS_NO_PASSIVE
    )
    event = _last_login_event()
    assert (event.outcome, event.details["status"]) == (AuditEvent.Outcome.FAILURE, "NoPassive")


@pytest.mark.django_db
def test_is_passive_with_a_session_signs_in_silently(client, signed_app_factory, sp_keys):
    application = signed_app_factory()
    member = _member(application)
    client.force_login(member)
    sp = _sp(client, application, sp_keys)
    url, request_id = sp.login_url(is_passive=True)
    # Answered at the SSO URL itself: no hop through /continue.
    page = client.get(path_and_query(url))
    auth = sp.acs(response_fields(page), request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()


@pytest.mark.django_db
def test_is_passive_wins_over_force_authn(client, signed_app_factory, sp_keys):
    application = signed_app_factory()
    member = _member(application)
    client.force_login(member)
    sp = _sp(client, application, sp_keys)
    url, request_id = sp.login_url(is_passive=True, force_authn=True)
    page = client.get(path_and_query(url))
    _assert_signed_status_response(
        sp, response_fields(page), request_id, top=STATUS_RESPONDER, second=STATUS_NO_PASSIVE
    )


@pytest.mark.django_db
def test_pysaml2_sp_reads_no_passive(client, pysaml2_app, sp_keys, sp_key_files):
    application = pysaml2_app(require_signed_requests=True, sp_certificate=sp_keys.certificate_pem)
    sp = _pysaml2(client, application, sp_key_files)
    request_id, fields = _pysaml2_login(client, application, sp, is_passive="true")
    assert fields["action"] == PYSAML2_ACS_URL
    with pytest.raises(StatusNoPassive):
        _pysaml2_parse(sp, fields, request_id)


def _passive_continue_url(client, sp, application) -> tuple[str, str]:
    """Leave a passive AuthnRequest on its way to /continue; return that URL and its ID.

    The SSO URL now answers a passive request itself (issue 13), so only an earlier
    release sent one through /continue: this leaves exactly what that release left, the
    request kept in the session and carried by the signed URL, which /continue still
    honours for PASSIVE_TOKEN_MAX_AGE_SECONDS.
    """
    url, request_id = sp.login_url(is_passive=True)
    pending = pending_login.PendingLogin(
        request_id=request_id,
        acs_url=SP_ACS_URL,
        relay_state="https://sp.example.com/home",
        binding="redirect",
        issuer=application.saml.sp_entity_id,
        received_at=datetime.datetime.now(datetime.UTC).timestamp(),
        is_passive=True,
    )
    session = client.session
    session[pending_login.PENDING_KEY.format(suffix=application.idp_suffix)] = pending.to_session()
    session.save()
    token = pending_login.passive_token_create(application=application, pending=pending)
    query = urlencode({pending_login.PASSIVE_TOKEN_PARAMETER: token})
    return f"{reverse('saml:continue', args=[application.idp_suffix])}?{query}", request_id


@pytest.mark.django_db
def test_is_passive_whose_session_expires_before_continue_answers_no_passive(
    client, signed_app_factory, sp_keys, monkeypatch, settings
):
    application = signed_app_factory()
    client.force_login(_member(application))
    sp = _sp(client, application, sp_keys)
    continue_url, request_id = _passive_continue_url(client, sp, application)
    # The idle timeout passes on the way: the middleware signs the user out and flushes
    # the session, the waiting request with it.
    later = int(datetime.datetime.now(datetime.UTC).timestamp())
    later += settings.TESSERA_SESSION_IDLE_TIMEOUT_SECONDS + 60
    monkeypatch.setattr("accounts.middleware._now", lambda: later)

    page = client.get(continue_url)

    assert page.status_code == 200, "a signed NoPassive Response, not the sign-in page"
    _assert_signed_status_response(
        sp, response_fields(page), request_id, top=STATUS_RESPONDER, second=STATUS_NO_PASSIVE
    )
    event = _last_login_event()
    assert (event.outcome, event.details["status"]) == (AuditEvent.Outcome.FAILURE, "NoPassive")
    assert not SpSession.objects.exists()


@pytest.mark.django_db
def test_is_passive_signed_out_in_another_tab_before_continue_answers_no_passive(
    client, signed_app_factory, sp_keys
):
    application = signed_app_factory()
    client.force_login(_member(application))
    sp = _sp(client, application, sp_keys)
    continue_url, request_id = _passive_continue_url(client, sp, application)
    client.logout()
    page = client.get(continue_url)
    _assert_signed_status_response(
        sp, response_fields(page), request_id, top=STATUS_RESPONDER, second=STATUS_NO_PASSIVE
    )
    # Without the signed URL there is nothing to answer: the usual sign-in requirement.
    again = client.get(continue_url.split("?")[0])
    assert again.status_code == 302 and again["Location"].startswith(reverse("console:login"))


@pytest.mark.django_db
def test_a_passive_token_is_honoured_only_signed_and_only_by_its_own_app(
    client, signed_app_factory, sp_keys, saml_connector
):
    from sso_apps.services import applications as app_services

    application = signed_app_factory()
    other = app_services.application_create(connector=saml_connector, display_label="Other app")
    client.force_login(_member(application))
    continue_url, _ = _passive_continue_url(client, _sp(client, application, sp_keys), application)
    client.logout()
    path, _, query = continue_url.partition("?")
    tampered = client.get(f"{path}?{query[:-4]}AAAA")
    elsewhere = client.get(f"{reverse('saml:continue', args=[other.idp_suffix])}?{query}")
    for page in (tampered, elsewhere):
        # Not ours: the login requirement applies as to any other visit, and no SP is sent
        # anything.
        assert page.status_code == 302 and page["Location"].startswith(reverse("console:login"))


@pytest.mark.django_db
def test_is_passive_from_a_signed_in_user_without_access_gets_request_denied(
    client, signed_app_factory, sp_keys, user_factory
):
    application = signed_app_factory()
    outsider = user_factory(email="eve@example.com")
    client.force_login(outsider)
    sp = _sp(client, application, sp_keys)
    url, request_id = sp.login_url(is_passive=True)

    page = sso_redirect(client, url)

    assert page.status_code == 200, "a signed status Response, not the 403 page"
    _assert_signed_status_response(
        sp, response_fields(page), request_id, top=STATUS_RESPONDER, second=STATUS_REQUEST_DENIED
    )
    # The same denial event as the 403 page records, naming the user.
    event = _last_login_event()
    assert event.outcome == AuditEvent.Outcome.DENIED and event.actor == outsider
    assert "No group authorised for the application includes the user." in event.reason
    assert event.details["status"] == "RequestDenied"
    assert not SpSession.objects.exists()


@pytest.mark.django_db
def test_is_passive_from_a_user_suspended_before_continue_gets_request_denied(
    client, signed_app_factory, sp_keys
):
    application = signed_app_factory()
    member = _member(application)
    client.force_login(member)
    sp = _sp(client, application, sp_keys)
    continue_url, request_id = _passive_continue_url(client, sp, application)
    from accounts.services import user_suspend

    user_suspend(user=member)  # by an administrator, while the request was on its way

    page = client.get(continue_url)

    _assert_signed_status_response(
        sp, response_fields(page), request_id, top=STATUS_RESPONDER, second=STATUS_REQUEST_DENIED
    )
    event = _last_login_event()
    assert event.outcome == AuditEvent.Outcome.DENIED and "not active" in event.reason


@pytest.mark.django_db
def test_a_user_without_access_still_gets_the_403_page_without_is_passive(
    client, signed_app_factory, sp_keys, user_factory
):
    application = signed_app_factory()
    client.force_login(user_factory(email="eve@example.com"))
    url, _ = _sp(client, application, sp_keys).login_url()
    page = sso_redirect(client, url)
    assert page.status_code == 403
    assert _last_login_event().outcome == AuditEvent.Outcome.DENIED


@pytest.mark.django_db
def test_pysaml2_sp_reads_request_denied(client, pysaml2_app, sp_keys, sp_key_files, user_factory):
    application = pysaml2_app(require_signed_requests=True, sp_certificate=sp_keys.certificate_pem)
    client.force_login(user_factory(email="eve@example.com"))
    sp = _pysaml2(client, application, sp_key_files)
    request_id, fields = _pysaml2_login(client, application, sp, is_passive="true")
    assert fields["action"] == PYSAML2_ACS_URL
    with pytest.raises(StatusRequestDenied):
        _pysaml2_parse(sp, fields, request_id)


# --- RequestedAuthnContext --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("comparison", "requested", "stated"),
    [
        ("exact", [AC_PASSWORD_PROTECTED_TRANSPORT], AC_PASSWORD_PROTECTED_TRANSPORT),
        ("exact", [TIME_SYNC_TOKEN, AC_PASSWORD], AC_PASSWORD),
        ("minimum", [AC_PASSWORD], AC_PASSWORD_PROTECTED_TRANSPORT),
        ("minimum", [AC_PASSWORD_PROTECTED_TRANSPORT], AC_PASSWORD_PROTECTED_TRANSPORT),
        ("better", [AC_PASSWORD], AC_PASSWORD_PROTECTED_TRANSPORT),
        ("maximum", [AC_PASSWORD], AC_PASSWORD),
        ("maximum", [AC_PASSWORD_PROTECTED_TRANSPORT], AC_PASSWORD_PROTECTED_TRANSPORT),
    ],
)
def test_requested_authn_context_we_can_satisfy_is_stated(
    client, signed_app_factory, sp_keys, comparison, requested, stated
):
    application = signed_app_factory()
    member = _member(application)
    client.force_login(member)
    sp = _sp(
        client,
        application,
        sp_keys,
        requested_authn_context=requested,
        requested_authn_context_comparison=comparison,
    )
    url, request_id = sp.login_url()
    fields = response_fields(sso_redirect(client, url))
    auth = sp.acs(fields, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    ref = _statement(fields).find("saml:AuthnContext/saml:AuthnContextClassRef", NS)
    assert ref.text == stated
    assert _last_login_event().details["authn_context"] == stated


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("comparison", "requested"),
    [
        ("exact", [TIME_SYNC_TOKEN]),
        ("minimum", [TIME_SYNC_TOKEN]),
        # Better than PasswordProtectedTransport is a second factor: a step-up
        # (test_mfa_step_up.py). Nothing ranks above REFEDS MFA.
        ("better", [AC_REFEDS_MFA]),
        ("maximum", [TIME_SYNC_TOKEN]),
    ],
)
def test_requested_authn_context_we_cannot_satisfy_is_no_authn_context(
    client, signed_app_factory, sp_keys, comparison, requested
):
    application = signed_app_factory()
    member = _member(application)
    client.force_login(member)
    sp = _sp(
        client,
        application,
        sp_keys,
        requested_authn_context=requested,
        requested_authn_context_comparison=comparison,
    )
    url, request_id = sp.login_url()
    page = client.get(path_and_query(url))
    _assert_signed_status_response(
        sp, response_fields(page), request_id, top=STATUS_RESPONDER, second=STATUS_NO_AUTHN_CONTEXT
    )
    assert _last_login_event().details["status"] == "NoAuthnContext"


@pytest.mark.django_db
def test_pysaml2_sp_reads_no_authn_context(client, pysaml2_app, sp_keys, sp_key_files):
    application = pysaml2_app(require_signed_requests=True, sp_certificate=sp_keys.certificate_pem)
    client.force_login(application.authorized_groups.get().members.get())
    sp = _pysaml2(client, application, sp_key_files)
    request_id, fields = _pysaml2_login(
        client,
        application,
        sp,
        requested_authn_context={
            "authn_context_class_ref": [TIME_SYNC_TOKEN],
            "comparison": "minimum",
        },
    )
    with pytest.raises(StatusNoAuthnContext):
        _pysaml2_parse(sp, fields, request_id)


@pytest.mark.django_db
def test_an_unknown_comparison_is_a_refused_request(client, signed_app_factory, sp_keys):
    application = signed_app_factory()
    member = _member(application)
    client.force_login(member)
    sp = _sp(
        client,
        application,
        sp_keys,
        requested_authn_context=[AC_PASSWORD],
        requested_authn_context_comparison="roughly",
    )
    url, _ = sp.login_url()
    page = client.get(path_and_query(url))
    assert page.status_code == 400
    assert "Comparison" in page.text
    event = AuditEvent.objects.get(action="sso.request")
    assert event.outcome == AuditEvent.Outcome.FAILURE


# --- AuthnInstant and SessionNotOnOrAfter ----------------------------------------------


@pytest.mark.django_db
def test_authn_instant_is_when_the_user_signed_in_and_session_end_is_its_lifetime(
    client, signed_app_factory, sp_keys, settings
):
    settings.TESSERA_SESSION_ABSOLUTE_LIFETIME_SECONDS = 6 * 3600
    application = signed_app_factory()
    member = _member(application)
    signed_in = datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(
        hours=2
    )
    with (
        mock.patch("accounts.middleware._clock", return_value=signed_in),
        mock.patch("accounts.middleware._now", return_value=int(signed_in.timestamp())),
    ):
        client.force_login(member)
    assert client.session[AUTHENTICATED_AT_KEY] == int(signed_in.timestamp())
    sp = _sp(client, application, sp_keys)
    url, request_id = sp.login_url()
    fields = response_fields(sso_redirect(client, url))
    auth = sp.acs(fields, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    statement = _statement(fields)
    assert _instant(statement.get("AuthnInstant")) == signed_in
    assert _instant(statement.get("SessionNotOnOrAfter")) == signed_in + datetime.timedelta(hours=6)
    # The Response itself is stamped now: an SP can tell the two apart.
    issued = _instant(_xml(fields).get("IssueInstant"))
    assert issued - signed_in >= datetime.timedelta(hours=2)
    # python3-saml reads the same session end.
    assert auth.get_session_expiration() == int(
        (signed_in + datetime.timedelta(hours=6)).timestamp()
    )


@pytest.mark.django_db
def test_idp_initiated_response_carries_the_sign_in_time_too(client, signed_app_factory, sp_keys):
    application = signed_app_factory()
    member = _member(application)
    signed_in = datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(
        minutes=30
    )
    with mock.patch("accounts.middleware._clock", return_value=signed_in):
        client.force_login(member)
    page = client.post(reverse("saml:init", args=[application.idp_suffix]))
    action, fields = posted_form(page.text)
    assert action == SP_ACS_URL
    statement = _statement(fields)
    assert _instant(statement.get("AuthnInstant")) == signed_in
    assert statement.get("SessionNotOnOrAfter")
    ref = statement.find("saml:AuthnContext/saml:AuthnContextClassRef", NS)
    assert ref.text == AC_PASSWORD_PROTECTED_TRANSPORT


@pytest.mark.django_db
def test_the_sso_tab_setting_is_saved_through_the_service(saml_app):
    saml_configs.saml_config_update(
        application=saml_app,
        changes=saml_configs.SamlConfigInput(allow_requested_nameid_format=True),
    )
    saml_app.refresh_from_db()
    assert saml_app.saml.allow_requested_nameid_format is True
    assert NAMEID_FORMAT_URIS[saml_app.saml.nameid_format] == NAMEID_EMAIL_ADDRESS


@pytest.mark.django_db
def test_pysaml2_sp_gets_the_transient_nameid_it_asks_for(
    client, pysaml2_app, sp_keys, sp_key_files
):
    application = pysaml2_app(
        nameid_format="persistent",
        allow_requested_nameid_format=True,
        require_signed_requests=True,
        sp_certificate=sp_keys.certificate_pem,
    )
    client.force_login(_member(application))
    sp = _pysaml2(client, application, sp_key_files)
    names = set()
    for _ in range(2):
        request_id, fields = _pysaml2_login(client, application, sp, nameid_format=NAMEID_TRANSIENT)
        result = _pysaml2_parse(sp, fields, request_id)
        assert result.name_id.format == NAMEID_TRANSIENT
        names.add(result.name_id.text)
    assert len(names) == 2


@pytest.mark.django_db
def test_pysaml2_sp_force_authn_continues_after_the_password(
    client, pysaml2_app, sp_keys, sp_key_files, password
):
    application = pysaml2_app(require_signed_requests=True, sp_certificate=sp_keys.certificate_pem)
    client.force_login(_member(application))
    sp = _pysaml2(client, application, sp_key_files)
    request_id, info = sp.prepare_for_authenticate(
        entityid=application.saml.idp_entity_id,
        relay_state="/after",
        binding=BINDING_HTTP_REDIRECT,
        sign=True,
        sigalg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        digest_alg="http://www.w3.org/2001/04/xmlenc#sha256",
        force_authn="true",
    )
    continue_url = client.get(path_and_query(dict(info["headers"])["Location"]))["Location"]
    reauth = client.get(continue_url)["Location"]
    assert reauth.startswith(reverse("console:reauthenticate"))
    client.post(reauth, {"password": password, "next": continue_url})
    fields = response_fields(client.get(continue_url))
    result = _pysaml2_parse(sp, fields, request_id)
    assert result.name_id.text == "ada@example.com"
    authn_instant = _instant(_statement(fields).get("AuthnInstant"))
    assert authn_instant >= _instant(_xml(fields).get("IssueInstant")) - datetime.timedelta(
        seconds=5
    )
