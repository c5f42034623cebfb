"""Log out everywhere, judged by two SP libraries: python3-saml (Redirect) and pysaml2 (POST)."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from sso_apps.models import AuditEvent, IssuedLogoutRequest, LogoutChain, LogoutChainStep, SpSession
from sso_apps.services import applications as app_services
from sso_apps.services import saml_configs
from sso_apps.services.saml_configs import AcsUrlInput
from sso_apps.tests.idp.logout_sps import (
    OneLoginSide,
    Pysaml2Side,
    deliver_pysaml2_answer,
    query_of,
)
from sso_apps.tests.idp.sp_harness import (
    PYSAML2_ACS_URL,
    PYSAML2_SLO_URL,
    PYSAML2_SP_ENTITY_ID,
    SP_SLO_URL,
    path_and_query,
)

Status = LogoutChainStep.Status


def _second_app(saml_connector, group, *, label, entity_id, acs_url, logout_url, binding):
    application = app_services.application_create(connector=saml_connector, display_label=label)
    saml_configs.saml_config_update(
        application=application,
        changes=saml_configs.SamlConfigInput(
            domain=urlsplit(entity_id).hostname.removesuffix(".example.com"),
            sp_entity_id=entity_id,
            sp_logout_url=logout_url,
            sp_logout_binding=binding,
        ),
        acs_urls=[AcsUrlInput(url=acs_url, is_default=True)],
    )
    app_services.application_sso_activate(application=application)
    app_services.application_groups_set(application=application, groups=[group])
    application.refresh_from_db()
    return application


@pytest.fixture
def onelogin_app(saml_app_factory):
    return saml_app_factory(label="OneLogin SP", sp_logout_binding="redirect")


@pytest.fixture
def pysaml2_app(onelogin_app, saml_connector):
    from accounts.models import UserGroup

    return _second_app(
        saml_connector,
        UserGroup.objects.get(name="Pilots"),
        label="Pysaml2 SP",
        entity_id=PYSAML2_SP_ENTITY_ID,
        acs_url=PYSAML2_ACS_URL,
        logout_url=PYSAML2_SLO_URL,
        binding="post",
    )


@pytest.fixture
def member(onelogin_app):
    """The user saml_app_factory authorised (overrides the fixture that makes its own app)."""
    from accounts.models import User

    return User.objects.get(email="ada@example.com")


@pytest.fixture
def signed_in_to_both(client, onelogin_app, pysaml2_app, member):
    client.force_login(member)
    onelogin = OneLoginSide(client, onelogin_app)
    pysaml2 = Pysaml2Side(client, pysaml2_app)
    onelogin.sign_in()
    pysaml2.sign_in()
    assert onelogin.sessions and pysaml2.signed_in
    assert SpSession.objects.count() == 2
    return onelogin, pysaml2


def _walk(client, response, onelogin: OneLoginSide, pysaml2: Pysaml2Side, *, stop_at=()):
    """Be the browser: follow the chain through both SPs; return the last response."""
    for _ in range(12):
        location = response.get("Location", "") if response.status_code == 302 else ""
        if location and onelogin.owns(location) and "SAMLRequest=" in location:
            if "onelogin" in stop_at:
                return response
            response = client.get(path_and_query(onelogin.receive_logout_request(location)))
        elif pysaml2.owns_page(response) and "SAMLRequest" in response.text:
            if "pysaml2" in stop_at:
                return response
            answer = pysaml2.receive_logout_request(response)
            response = deliver_pysaml2_answer(client, pysaml2.application, answer)
        elif location.startswith("/saml2/logout/"):
            response = client.get(location)
        else:
            return response
    raise AssertionError("the logout chain did not end")


@pytest.mark.django_db
def test_console_sign_out_ends_the_sessions_at_both_sps(client, signed_in_to_both, member):
    onelogin, pysaml2 = signed_in_to_both
    start = client.post(reverse("console:logout"))
    assert start.status_code == 302 and start["Location"].startswith("/saml2/logout/")
    # The IdP session is over before any SP is asked.
    assert "_auth_user_id" not in client.session

    end = _walk(client, start, onelogin, pysaml2)

    assert end["Location"] == reverse("console:signed-out")
    assert onelogin.sessions == {}, "python3-saml's session was not ended"
    assert not pysaml2.signed_in, "pysaml2's session was not ended"
    # Each request names the subject as issued to that SP and carries our reason.
    assert member.email in onelogin.requests_seen[0]
    assert "urn:oasis:names:tc:SAML:2.0:logout:user" in pysaml2.requests_seen[0]
    page = client.get(end["Location"])
    assert page.status_code == 200
    assert "Signed out" in page.text and "may still be signed in" not in page.text
    assert "OneLogin SP" in page.text and "Pysaml2 SP" in page.text
    steps = LogoutChainStep.objects.order_by("position")
    assert [s.status for s in steps] == [Status.SUCCEEDED, Status.SUCCEEDED]
    assert SpSession.objects.count() == 0
    assert not IssuedLogoutRequest.objects.exists(), "each answer uses up its request"
    events = AuditEvent.objects.filter(action__startswith="sso.logout.")
    assert sorted(events.values_list("action", "outcome")) == [
        ("sso.logout.answered", "success"),
        ("sso.logout.answered", "success"),
        ("sso.logout.sent", "success"),
        ("sso.logout.sent", "success"),
    ]
    assert set(events.values_list("actor", flat=True)) == {member.pk}


@pytest.mark.django_db
def test_a_tampered_post_logout_request_fails_pysaml2s_signature_check(client, signed_in_to_both):
    import base64

    from saml2 import BINDING_HTTP_POST
    from saml2.response import IncorrectlySigned

    from sso_apps.tests.idp.sp_harness import posted_form

    onelogin, pysaml2 = signed_in_to_both
    page = _walk(
        client, client.post(reverse("console:logout")), onelogin, pysaml2, stop_at=("pysaml2",)
    )
    _, fields = posted_form(page.text)
    xml = base64.b64decode(fields["SAMLRequest"])
    forged = xml.replace(b"ada@example.com", b"eve@example.com")
    assert forged != xml
    with pytest.raises(IncorrectlySigned):
        pysaml2.sp.parse_logout_request(base64.b64encode(forged).decode(), BINDING_HTTP_POST)
    assert pysaml2.signed_in


@pytest.mark.django_db
def test_sp_initiated_logout_signs_out_the_other_sp_then_answers_the_first(
    client, signed_in_to_both
):
    onelogin, pysaml2 = signed_in_to_both
    index, name_id = next(iter(onelogin.sessions.items()))
    auth = onelogin.sp._auth(url=SP_SLO_URL)
    logout_url = auth.logout(
        return_to="https://sp.example.com/bye",
        name_id=name_id,
        session_index=index,
        name_id_format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    )
    request_id = auth.get_last_request_id()
    page = client.get(path_and_query(logout_url))
    # Unsigned (this app has no SP certificate): the user confirms first.
    confirm = client.post(reverse("saml:slo-confirm", args=[onelogin.application.idp_suffix]))
    assert confirm["Location"].startswith("/saml2/logout/"), page.text[:300]

    end = _walk(client, confirm, onelogin, pysaml2)

    assert not pysaml2.signed_in
    assert end.status_code == 302 and end["Location"].startswith(SP_SLO_URL + "?")
    assert "SAMLResponse=" in end["Location"]
    assert query_of(end["Location"])["RelayState"] == "https://sp.example.com/bye"
    result = onelogin.sp.process_logout_response(url=end["Location"])
    assert result.get_errors() == [], result.get_last_error_reason()
    assert f'InResponseTo="{request_id}"' in result.get_last_response_xml()
    assert onelogin.requests_seen == [], "the SP that asked gets no LogoutRequest"
    # The chain answers its SP once: coming back does not send a second LogoutResponse.
    again = client.get(f"/saml2/logout/{LogoutChain.objects.get().pk}")
    assert again["Location"] == reverse("console:signed-out")


@pytest.mark.django_db
def test_signed_sp_initiated_logout_from_pysaml2_without_cookies_still_chains(
    client, onelogin_app, pysaml2_app, member, tmp_path
):
    """A signed LogoutRequest arriving without our cookie still ends and chains the session."""
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT

    from sso_apps.saml.keys import generate_key_pair
    from sso_apps.tests.idp.sp_harness import posted_form, pysaml2_client

    keys = generate_key_pair(common_name="pysaml2-sp.example.com")
    (tmp_path / "key.pem").write_text(keys.private_key_pem)
    (tmp_path / "cert.pem").write_text(keys.certificate_pem)
    saml_configs.saml_config_update(
        application=pysaml2_app,
        changes=saml_configs.SamlConfigInput(sp_certificate=keys.certificate_pem),
    )
    pysaml2_app.refresh_from_db()
    client.force_login(member)
    onelogin = OneLoginSide(client, onelogin_app)
    onelogin.sign_in()
    pysaml2 = Pysaml2Side(client, pysaml2_app)
    metadata = client.get(reverse("saml:metadata", args=[pysaml2_app.idp_suffix])).text
    pysaml2.sp = pysaml2_client(
        metadata, key_file=str(tmp_path / "key.pem"), cert_file=str(tmp_path / "cert.pem")
    )
    pysaml2.sign_in()
    responses = pysaml2.sp.global_logout(
        pysaml2.name_id,
        reason="",
        sign=True,
        sign_alg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        digest_alg="http://www.w3.org/2001/04/xmlenc#sha256",
    )
    ((binding, info),) = list(responses.values())
    assert binding == BINDING_HTTP_REDIRECT
    location = dict(info["headers"])["Location"]
    assert "Signature=" in location
    browser = Client()  # another user agent: none of this browser's cookies come along
    start = browser.get(path_and_query(location))
    assert start.status_code == 302 and start["Location"].startswith("/saml2/logout/")
    assert client.get(reverse("console:home")).status_code == 302, "the IdP session ended"
    # The chain is bound to the browser that brought the request, not to the old session.
    assert client.get(start["Location"]).status_code == 403
    end = _walk(browser, start, onelogin, pysaml2)
    assert onelogin.sessions == {}
    action, fields = posted_form(end.text)
    assert action == PYSAML2_SLO_URL
    result = pysaml2.sp.parse_logout_request_response(fields["SAMLResponse"], BINDING_HTTP_POST)
    assert result.status_ok()


@pytest.fixture
def no_slo_app(onelogin_app, saml_connector):
    from accounts.models import UserGroup

    return _second_app(
        saml_connector,
        UserGroup.objects.get(name="Pilots"),
        label="No SLO App",
        entity_id="https://noslo.example.com/metadata",
        acs_url="https://noslo.example.com/acs",
        logout_url="",
        binding="redirect",
    )


@pytest.mark.django_db
def test_an_app_without_slo_url_is_skipped_and_named(client, signed_in_to_both, no_slo_app, member):
    onelogin, pysaml2 = signed_in_to_both
    launched = client.post(reverse("saml:init", args=[no_slo_app.idp_suffix]))
    assert launched.status_code == 200
    end = _walk(client, client.post(reverse("console:logout")), onelogin, pysaml2)
    assert end["Location"] == reverse("console:signed-out")
    assert onelogin.sessions == {} and not pysaml2.signed_in
    page = client.get(end["Location"]).text
    still = page.split('id="still-signed-in"')[1]
    assert "No SLO App" in still and "no sign-out address" in still
    assert "OneLogin SP" not in still and "Pysaml2 SP" not in still
    skipped = AuditEvent.objects.get(action="sso.logout.skipped")
    assert skipped.application == no_slo_app and skipped.actor == member


@pytest.mark.django_db
def test_an_sp_answering_with_a_failure_status_is_named(client, signed_in_to_both):
    from saml2.saml import NameID

    onelogin, pysaml2 = signed_in_to_both
    page = _walk(
        client, client.post(reverse("console:logout")), onelogin, pysaml2, stop_at=("pysaml2",)
    )
    # pysaml2 does not know this subject, so it answers UnknownPrincipal.
    stranger = NameID(text="someone-else@example.com", format=pysaml2.name_id.format)
    answer = pysaml2.receive_logout_request(page, name_id=stranger)
    end = _walk(
        client, deliver_pysaml2_answer(client, pysaml2.application, answer), onelogin, pysaml2
    )
    assert end["Location"] == reverse("console:signed-out")
    step = LogoutChainStep.objects.get(application=pysaml2.application)
    assert step.status == Status.FAILED
    assert step.sp_status == "urn:oasis:names:tc:SAML:2.0:status:Responder"
    still = client.get(end["Location"]).text.split('id="still-signed-in"')[1]
    assert "Pysaml2 SP" in still and "could not sign you out" in still
    assert AuditEvent.objects.filter(action="sso.logout.answered", outcome="failure").count() == 1


@pytest.mark.django_db
def test_an_sp_that_never_answers_does_not_strand_the_user(client, signed_in_to_both):
    onelogin, pysaml2 = signed_in_to_both
    sent = _walk(
        client, client.post(reverse("console:logout")), onelogin, pysaml2, stop_at=("onelogin",)
    )
    chain_url = f"/saml2/logout/{LogoutChain.objects.get().pk}"
    # The SP shows an error and the user comes back: we wait, with a way on.
    waiting = client.get(chain_url)
    assert waiting.status_code == 200
    assert (
        "Waiting for OneLogin SP" in waiting.text and 'id="logout-chain-continue"' in waiting.text
    )
    assert '<meta http-equiv="refresh"' in waiting.text
    assert sent["Location"].startswith(SP_SLO_URL)
    moved_on = client.post(chain_url)
    assert moved_on["Location"] == chain_url
    end = _walk(client, client.get(chain_url), onelogin, pysaml2)
    assert end["Location"] == reverse("console:signed-out")
    assert not pysaml2.signed_in
    assert onelogin.sessions, "python3-saml never saw the request, so its session remains"
    still = client.get(end["Location"]).text.split('id="still-signed-in"')[1]
    assert "OneLogin SP" in still and "did not answer" in still
    assert AuditEvent.objects.filter(action="sso.logout.timeout", outcome="failure").count() == 1
    # Too late: the SP's answer now still uses up our request, but changes no outcome.
    late = client.get(path_and_query(onelogin.receive_logout_request(sent["Location"])))
    assert late.status_code == 302
    step = LogoutChainStep.objects.get(application=onelogin.application)
    assert step.status == Status.TIMED_OUT


@pytest.mark.django_db
def test_a_step_times_out_by_itself_after_the_configured_wait(client, signed_in_to_both, settings):
    onelogin, pysaml2 = signed_in_to_both
    _walk(client, client.post(reverse("console:logout")), onelogin, pysaml2, stop_at=("onelogin",))
    chain_url = f"/saml2/logout/{LogoutChain.objects.get().pk}"
    LogoutChainStep.objects.filter(status=Status.SENT).update(
        sent_at=LogoutChainStep.objects.get(status=Status.SENT).sent_at
        - datetime.timedelta(seconds=settings.SSO_APPS_LOGOUT_STEP_TIMEOUT_SECONDS + 1)
    )
    nxt = client.get(chain_url)
    assert pysaml2.owns_page(nxt), "the chain moved on to the next SP"
    assert LogoutChainStep.objects.get(application=onelogin.application).status == Status.TIMED_OUT


@pytest.mark.django_db
def test_the_chain_cannot_be_continued_from_another_browser(client, signed_in_to_both):
    onelogin, pysaml2 = signed_in_to_both
    start = client.post(reverse("console:logout"))
    stranger = Client()
    for method in (stranger.get, stranger.post):
        refused = method(start["Location"])
        assert refused.status_code == 403
    assert AuditEvent.objects.filter(action="sso.logout.chain", outcome="denied").count() == 2
    assert not LogoutChainStep.objects.exclude(status=Status.PENDING).exists(), "nothing sent"


@pytest.mark.django_db
def test_a_logout_response_must_answer_a_request_sent_to_that_app(client, signed_in_to_both):
    onelogin, pysaml2 = signed_in_to_both
    sent = _walk(
        client, client.post(reverse("console:logout")), onelogin, pysaml2, stop_at=("onelogin",)
    )
    request_id = LogoutChainStep.objects.get(application=onelogin.application).request_id
    # The other app answering our request to python3-saml's app is not an answer.
    pysaml2_slo = reverse("saml:slo", args=[pysaml2.application.idp_suffix])
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.saml import Issuer
    from saml2.samlp import LogoutRequest

    asked = LogoutRequest(id=request_id, issuer=Issuer(text=pysaml2.application.saml.idp_entity_id))
    forged = pysaml2.sp.create_logout_response(asked, bindings=[BINDING_HTTP_REDIRECT], sign=False)
    info = pysaml2.sp.apply_binding(
        BINDING_HTTP_REDIRECT, str(forged), pysaml2.application.idp_slo_url, response=True
    )
    location = dict(info["headers"])["Location"]
    assert path_and_query(location).startswith(pysaml2_slo + "?")
    assert client.get(path_and_query(location)).status_code == 400
    assert LogoutChainStep.objects.get(application=onelogin.application).status == Status.SENT
    # The right answer counts once; its replay is refused.
    answer = onelogin.receive_logout_request(sent["Location"])
    assert client.get(path_and_query(answer)).status_code == 302
    assert client.get(path_and_query(answer)).status_code == 400
    assert LogoutChainStep.objects.get(application=onelogin.application).status == Status.SUCCEEDED


@pytest.mark.django_db
def test_an_expired_chain_sends_nothing_more(client, signed_in_to_both):
    onelogin, pysaml2 = signed_in_to_both
    start = client.post(reverse("console:logout"))
    LogoutChain.objects.update(expires_at=LogoutChain.objects.get().created_at)
    expired = client.get(start["Location"])
    assert expired.status_code == 410
    assert "OneLogin SP" in expired.text and "Pysaml2 SP" in expired.text
    assert not LogoutChainStep.objects.exclude(status=Status.PENDING).exists()


@pytest.mark.django_db
def test_console_sign_out_without_other_apps_goes_straight_to_sign_in(client, member):
    client.force_login(member)
    response = client.post(reverse("console:logout"))
    assert response["Location"] == reverse("console:login")
    assert not LogoutChain.objects.exists()
    # Without a chain in this browser, the summary page has nothing to say.
    assert client.get(reverse("console:signed-out"))["Location"] == reverse("console:login")


def _onelogin_logout_url(onelogin: OneLoginSide, relay_state: str) -> str:
    index, name_id = next(iter(onelogin.sessions.items()))
    return onelogin.sp._auth(url=SP_SLO_URL).logout(
        return_to=relay_state, name_id=name_id, session_index=index, name_id_format=EMAIL
    )


EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"


@pytest.mark.django_db
def test_an_oversized_relay_state_starts_no_chain(client, signed_in_to_both, settings):
    settings.SSO_APPS_RELAY_STATE_MAX_BYTES = 64
    onelogin, pysaml2 = signed_in_to_both
    refused = client.get(path_and_query(_onelogin_logout_url(onelogin, "https://x/" + "a" * 64)))
    assert refused.status_code == 400
    assert not LogoutChain.objects.exists() and "_auth_user_id" in client.session
    assert pysaml2.signed_in


@pytest.mark.django_db
def test_the_relay_state_goes_back_only_to_the_asking_sps_registered_logout_url(
    client, signed_in_to_both
):
    onelogin, pysaml2 = signed_in_to_both
    client.get(path_and_query(_onelogin_logout_url(onelogin, "https://evil.example.net/")))
    confirm = client.post(reverse("saml:slo-confirm", args=[onelogin.application.idp_suffix]))
    end = _walk(client, confirm, onelogin, pysaml2)
    # RelayState is the SP's opaque data, handed back to its own Logout URL; never a target.
    assert end["Location"].startswith(SP_SLO_URL + "?")
    assert query_of(end["Location"])["RelayState"] == "https://evil.example.net/"


# --- A step that cannot be built, and the origin's PartialLogout (issue 12 follow-ups) --


def _break_signing(application, *, private_key_encrypted: str | None = None) -> None:
    """Break the app's signing key as a bad row or a lost key pair would, for every worker.

    The runtime cache is emptied as a fresh worker's would be: the breakage is in the
    database, and the next runtime built from it is the one that fails.
    """
    from sso_apps.idp.runtime import runtimes
    from sso_apps.models import IdpKeyPair

    pairs = IdpKeyPair.objects.filter(application=application, status=IdpKeyPair.Status.ACTIVE)
    if private_key_encrypted is None:
        pairs.update(status=IdpKeyPair.Status.INACTIVE)
    else:
        pairs.update(private_key_encrypted=private_key_encrypted)
    runtimes.clear()


def _still_signed_in(client, end) -> str:
    return client.get(end["Location"]).text.split('id="still-signed-in"')[1]


@pytest.mark.django_db
def test_an_app_without_an_active_key_pair_is_a_failed_step_and_the_chain_goes_on(
    client, signed_in_to_both
):
    onelogin, pysaml2 = signed_in_to_both
    _break_signing(pysaml2.application)  # no runtime can be built for it now

    end = _walk(client, client.post(reverse("console:logout")), onelogin, pysaml2)

    assert end.status_code == 302 and end["Location"] == reverse("console:signed-out")
    assert onelogin.sessions == {}, "the step after the broken one was still sent"
    assert pysaml2.signed_in, "nothing reached pysaml2"
    step = LogoutChainStep.objects.get(application=pysaml2.application)
    assert step.status == Status.FAILED and "could not be built" in step.sp_status
    event = AuditEvent.objects.get(action="sso.logout.sent", outcome="failure")
    assert event.application == pysaml2.application and "Http404" in event.reason
    still = _still_signed_in(client, end)
    assert "Pysaml2 SP" in still and "could not sign you out" in still
    assert "OneLogin SP" not in still


@pytest.mark.django_db
def test_a_key_that_no_longer_decrypts_is_a_failed_step_and_the_chain_goes_on(
    client, signed_in_to_both
):
    from cryptography.fernet import Fernet

    onelogin, pysaml2 = signed_in_to_both
    # Encrypted under a secret the deployment no longer has (KeyVaultError, no SamlError).
    _break_signing(
        onelogin.application,
        private_key_encrypted=Fernet(Fernet.generate_key()).encrypt(b"a lost key").decode(),
    )

    end = _walk(client, client.post(reverse("console:logout")), onelogin, pysaml2)

    assert end.status_code == 302 and end["Location"] == reverse("console:signed-out")
    assert not pysaml2.signed_in, "the step after the broken one was still sent"
    assert onelogin.sessions and onelogin.requests_seen == []
    step = LogoutChainStep.objects.get(application=onelogin.application)
    assert step.status == Status.FAILED and not step.request_id, "never counted as sent"
    event = AuditEvent.objects.get(action="sso.logout.sent", outcome="failure")
    assert event.application == onelogin.application and "KeyVaultError" in event.reason
    still = _still_signed_in(client, end)
    assert "OneLogin SP" in still and "could not sign you out" in still


def _onelogin_sp_initiated_logout(client, onelogin: OneLoginSide):
    index, name_id = next(iter(onelogin.sessions.items()))
    auth = onelogin.sp._auth(url=SP_SLO_URL)
    logout_url = auth.logout(
        return_to="https://sp.example.com/bye",
        name_id=name_id,
        session_index=index,
        name_id_format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    )
    client.get(path_and_query(logout_url))
    confirm = client.post(reverse("saml:slo-confirm", args=[onelogin.application.idp_suffix]))
    assert confirm["Location"].startswith("/saml2/logout/")
    return confirm, auth.get_last_request_id()


def _status_codes(xml: str) -> list[str]:
    from lxml import etree

    root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    codes = root.iter("{urn:oasis:names:tc:SAML:2.0:protocol}StatusCode")
    return [code.get("Value") for code in codes]


SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
PARTIAL_LOGOUT = "urn:oasis:names:tc:SAML:2.0:status:PartialLogout"


@pytest.mark.django_db
def test_python3_saml_origin_accepts_partial_logout_when_another_sp_failed(
    client, signed_in_to_both
):
    onelogin, pysaml2 = signed_in_to_both
    confirm, request_id = _onelogin_sp_initiated_logout(client, onelogin)
    page = _walk(client, confirm, onelogin, pysaml2, stop_at=("pysaml2",))
    from saml2.saml import NameID

    stranger = NameID(text="someone-else@example.com", format=pysaml2.name_id.format)
    answer = pysaml2.receive_logout_request(page, name_id=stranger)  # UnknownPrincipal
    end = _walk(
        client, deliver_pysaml2_answer(client, pysaml2.application, answer), onelogin, pysaml2
    )

    assert end["Location"].startswith(SP_SLO_URL + "?")
    result = onelogin.sp.process_logout_response(url=end["Location"])
    assert result.get_errors() == [], result.get_last_error_reason()
    xml = result.get_last_response_xml()
    assert f'InResponseTo="{request_id}"' in xml
    assert _status_codes(xml) == [SUCCESS, PARTIAL_LOGOUT]
    event = AuditEvent.objects.filter(action="sso.logout").order_by("-pk").first()
    assert "PartialLogout" in event.reason


@pytest.mark.django_db
def test_the_origin_gets_plain_success_when_every_other_sp_signed_out(client, signed_in_to_both):
    onelogin, pysaml2 = signed_in_to_both
    confirm, _ = _onelogin_sp_initiated_logout(client, onelogin)
    end = _walk(client, confirm, onelogin, pysaml2)
    result = onelogin.sp.process_logout_response(url=end["Location"])
    assert result.get_errors() == [], result.get_last_error_reason()
    assert _status_codes(result.get_last_response_xml()) == [SUCCESS]


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["timed_out", "skipped_no_slo"])
def test_pysaml2_origin_accepts_partial_logout_when_another_sp_did_not_sign_out(
    client, signed_in_to_both, no_slo_app, how
):
    from saml2 import BINDING_HTTP_POST

    from sso_apps.tests.idp.sp_harness import posted_form

    onelogin, pysaml2 = signed_in_to_both
    if how == "skipped_no_slo":
        assert client.post(reverse("saml:init", args=[no_slo_app.idp_suffix])).status_code == 200
    responses = pysaml2.sp.global_logout(pysaml2.name_id, reason="", sign=False)
    ((_, info),) = list(responses.values())
    client.get(path_and_query(dict(info["headers"])["Location"]))
    start = client.post(reverse("saml:slo-confirm", args=[pysaml2.application.idp_suffix]))
    assert start["Location"].startswith("/saml2/logout/")
    if how == "timed_out":
        # python3-saml is sent its request but never answers; the user continues.
        _walk(client, start, onelogin, pysaml2, stop_at=("onelogin",))
        client.post(start["Location"])
        end = client.get(start["Location"])
    else:
        end = _walk(client, start, onelogin, pysaml2)

    action, fields = posted_form(end.text)
    assert action == PYSAML2_SLO_URL
    result = pysaml2.sp.parse_logout_request_response(fields["SAMLResponse"], BINDING_HTTP_POST)
    assert result.status_ok()
    assert _status_codes(result.xmlstr) == [SUCCESS, PARTIAL_LOGOUT]


@pytest.mark.django_db
def test_an_origin_whose_key_no_longer_decrypts_gets_no_answer_but_the_user_no_500(
    client, signed_in_to_both
):
    from cryptography.fernet import Fernet

    onelogin, pysaml2 = signed_in_to_both
    confirm, _ = _onelogin_sp_initiated_logout(client, onelogin)
    _break_signing(
        onelogin.application,
        private_key_encrypted=Fernet(Fernet.generate_key()).encrypt(b"a lost key").decode(),
    )
    end = _walk(client, confirm, onelogin, pysaml2)
    assert end.status_code == 302 and end["Location"] == reverse("console:signed-out")
    assert not pysaml2.signed_in
    event = AuditEvent.objects.filter(action="sso.logout").order_by("-pk").first()
    assert event.outcome == "failure" and "KeyVaultError" in event.reason
