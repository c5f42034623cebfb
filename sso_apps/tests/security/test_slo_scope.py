"""Single Logout ends only what this app's assertions created (issue 9, holes 4 and 6).

Each "browser" is its own Django test client with its own IdP session; the SP's
cross-site request is a third client that carries none of our cookies.
"""

import pytest
from django.test import Client
from django.urls import reverse

from sso_apps.models import AuditEvent, SpSession
from sso_apps.saml.keys import generate_key_pair
from sso_apps.services import applications as app_services
from sso_apps.services import saml_configs
from sso_apps.services.sp_sessions import issued_logout_request_record
from sso_apps.tests.idp.flows import onelogin_sp, response_fields, sso_redirect
from sso_apps.tests.idp.sp_harness import SP_SLO_URL, path_and_query

NAMEID_FORMATS = {
    "emailAddress": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    "persistent": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    "transient": "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
}


@pytest.fixture
def sp_keys():
    return generate_key_pair(common_name="sp.example.com")


@pytest.fixture
def signed_app_factory(saml_app_factory, sp_keys):
    """Return a function making an app whose SP signs its requests with sp_keys."""

    def make(**config):
        return saml_app_factory(sp_certificate=sp_keys.certificate_pem, **config)

    return make


def _signing_sp(client, application, keys):
    return onelogin_sp(
        client,
        application,
        sign_requests=True,
        sp_certificate_pem=keys.certificate_pem,
        sp_private_key_pem=keys.private_key_pem,
        # An SP set up for this app asks for the app's own format (see NameIDPolicy).
        requested_nameid_format=NAMEID_FORMATS[application.saml.nameid_format],
    )


def _browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def _sso(browser, sp):
    """Sign in to the SP from this browser; return python3-saml's accepted Auth."""
    url, request_id = sp.login_url()
    auth = sp.acs(response_fields(sso_redirect(browser, url)), request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    return auth


def _member_of(application):
    return application.authorized_groups.get().members.get()


def _signed_in(browser) -> bool:
    return browser.get(reverse("console:home")).status_code == 200


def _cross_site_logout(sp, **logout):
    return Client().get(path_and_query(sp.logout_url(**logout)))


@pytest.mark.django_db
def test_the_recorded_session_index_is_the_one_the_sp_received(signed_app_factory, sp_keys):
    application = signed_app_factory()
    member = _member_of(application)
    browser = _browser(member)
    auth = _sso(browser, _signing_sp(browser, application, sp_keys))
    row = SpSession.objects.get(application=application)
    assert row.session_index == auth.get_session_index()
    assert row.name_id == auth.get_nameid() == member.email
    assert row.name_id_format == NAMEID_FORMATS["emailAddress"]
    assert row.session_key == browser.session.session_key


@pytest.mark.django_db
def test_the_session_index_is_known_even_when_the_assertion_is_encrypted(
    client, saml_app_factory, sp_keys
):
    application = saml_app_factory(encrypt_assertions=True, sp_certificate=sp_keys.certificate_pem)
    member = _member_of(application)
    client.force_login(member)
    sp = onelogin_sp(
        client,
        application,
        want_assertions_encrypted=True,
        sp_certificate_pem=sp_keys.certificate_pem,
        sp_private_key_pem=sp_keys.private_key_pem,
    )
    auth = _sso(client, sp)
    assert SpSession.objects.get().session_index == auth.get_session_index()


@pytest.mark.django_db
def test_another_apps_signed_logout_ends_only_the_sessions_its_own_assertions_reached(
    signed_app_factory, saml_connector, sp_keys
):
    app_a = signed_app_factory()
    member = _member_of(app_a)
    b_keys = generate_key_pair(common_name="other.example.com")
    app_b = app_services.application_create(connector=saml_connector, display_label="App B")
    saml_configs.saml_config_update(
        application=app_b,
        changes=saml_configs.SamlConfigInput(
            domain="other",
            sp_logout_url="https://other.example.com/slo",
            sp_logout_binding="redirect",
            sp_certificate=b_keys.certificate_pem,
        ),
    )
    app_b.refresh_from_db()
    app_services.application_sso_activate(application=app_b)
    app_services.application_groups_set(
        application=app_b, groups=list(app_a.authorized_groups.all())
    )
    app_b.refresh_from_db()
    through_a = _browser(member)
    _sso(through_a, _signing_sp(through_a, app_a, sp_keys))
    through_b = _browser(member)
    assert through_b.post(reverse("saml:init", args=[app_b.idp_suffix])).status_code == 200
    sp_b = _signing_sp(through_b, app_b, b_keys)
    sp_b.settings["sp"]["entityId"] = app_b.saml.sp_entity_id

    answer = _cross_site_logout(sp_b, name_id=member.email)

    assert answer.status_code == 302
    assert answer["Location"].startswith("https://other.example.com/slo?")
    assert _signed_in(through_a), "app B's SP ended a session only app A's assertion reached"
    assert not _signed_in(through_b)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "logout",
    [
        pytest.param({"name_id": "ADA@example.com"}, id="nameid-in-another-case"),
        pytest.param({"name_id": "ada@example.com", "session_index": "id-wrong"}, id="wrong-index"),
        pytest.param(
            {"name_id": "ada@example.com", "name_id_format": NAMEID_FORMATS["persistent"]},
            id="wrong-format",
        ),
    ],
)
def test_a_signed_logout_naming_a_subject_not_as_issued_ends_nothing(
    signed_app_factory, sp_keys, logout
):
    application = signed_app_factory()
    member = _member_of(application)
    browser = _browser(member)
    sp = _signing_sp(browser, application, sp_keys)
    _sso(browser, sp)
    answer = _cross_site_logout(sp, **logout)
    assert answer.status_code == 302  # the SP is answered; nothing of ours matched
    assert _signed_in(browser)
    assert SpSession.objects.filter(application=application).count() == 1


@pytest.mark.django_db
def test_the_right_session_index_ends_exactly_that_session(signed_app_factory, sp_keys):
    application = signed_app_factory()
    member = _member_of(application)
    first, second = _browser(member), _browser(member)
    sp = _signing_sp(first, application, sp_keys)
    auth = _sso(first, sp)
    _sso(second, sp)

    answer = _cross_site_logout(
        sp, name_id=auth.get_nameid(), session_index=auth.get_session_index()
    )

    assert answer.status_code == 302
    assert not _signed_in(first)
    assert _signed_in(second), "the user's other session ended too"
    assert SpSession.objects.filter(session_key=second.session.session_key).exists()
    event = AuditEvent.objects.filter(action="sso.logout").latest("pk")
    assert event.outcome == "success" and "1 session(s) ended" in event.reason


@pytest.mark.django_db
@pytest.mark.parametrize("nameid_format", ["persistent", "transient"])
def test_persistent_and_transient_nameids_end_the_session_they_were_issued_to(
    signed_app_factory, sp_keys, nameid_format
):
    application = signed_app_factory(nameid_format=nameid_format)
    member = _member_of(application)
    first, second = _browser(member), _browser(member)
    sp = _signing_sp(first, application, sp_keys)
    auth = _sso(first, sp)
    other = _sso(second, sp)
    assert (auth.get_nameid() == other.get_nameid()) is (nameid_format == "persistent")
    logout = {"name_id": auth.get_nameid(), "name_id_format": NAMEID_FORMATS[nameid_format]}
    if nameid_format == "persistent":
        # The same persistent ID went to both sessions: the SessionIndex picks one.
        logout["session_index"] = auth.get_session_index()

    assert _cross_site_logout(sp, **logout).status_code == 302

    assert not _signed_in(first)
    assert _signed_in(second)


@pytest.mark.django_db
def test_a_deactivated_app_cannot_sign_anyone_out(signed_app_factory, sp_keys):
    application = signed_app_factory()
    member = _member_of(application)
    browser = _browser(member)
    sp = _signing_sp(browser, application, sp_keys)
    auth = _sso(browser, sp)
    app_services.application_sso_deactivate(application=application)

    answer = _cross_site_logout(
        sp, name_id=auth.get_nameid(), session_index=auth.get_session_index()
    )

    assert answer.status_code == 403
    assert "SAMLResponse" not in answer.get("Location", "")
    assert _signed_in(browser)
    assert AuditEvent.objects.filter(
        action="sso.logout", outcome="denied", application=application
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("in_response_to", [None, "_never-issued"], ids=["absent", "unknown"])
def test_an_unsolicited_logout_response_by_get_signs_nobody_out(
    client, saml_app, member, in_response_to
):
    client.force_login(member)
    sp = onelogin_sp(client, saml_app)
    answer = client.get(path_and_query(sp.logout_response_url(in_response_to=in_response_to)))
    assert answer.status_code == 400
    assert "answers no sign-out request of ours" in answer.text
    assert _signed_in(client)
    assert AuditEvent.objects.filter(action="sso.logout", outcome="failure").exists()


@pytest.mark.django_db
def test_a_logout_response_to_our_request_is_accepted_once(client, saml_app, member):
    client.force_login(member)
    issued_logout_request_record(
        application=saml_app, request_id="_ours-1", session_key=client.session.session_key
    )
    sp = onelogin_sp(client, saml_app)
    url = path_and_query(sp.logout_response_url(in_response_to="_ours-1"))

    first = client.get(url)
    assert first.status_code == 302
    assert first["Location"] == reverse("console:login")
    assert not _signed_in(client)

    client.force_login(member)
    again = client.get(url)
    assert again.status_code == 400
    assert _signed_in(client)


@pytest.mark.django_db
def test_a_logout_response_to_another_apps_request_is_refused(
    client, saml_app, saml_connector, member
):
    other = app_services.application_create(connector=saml_connector, display_label="Other")
    client.force_login(member)
    issued_logout_request_record(
        application=other, request_id="_theirs", session_key=client.session.session_key
    )
    sp = onelogin_sp(client, saml_app)
    answer = client.get(path_and_query(sp.logout_response_url(in_response_to="_theirs")))
    assert answer.status_code == 400
    assert _signed_in(client)


@pytest.mark.django_db
def test_a_late_logout_response_is_refused(client, saml_app, member):
    import datetime

    client.force_login(member)
    issued_logout_request_record(
        application=saml_app,
        request_id="_late",
        session_key=client.session.session_key,
        lifetime=datetime.timedelta(seconds=-1),
    )
    sp = onelogin_sp(client, saml_app)
    answer = client.get(path_and_query(sp.logout_response_url(in_response_to="_late")))
    assert answer.status_code == 400
    assert _signed_in(client)


@pytest.mark.django_db
def test_an_unsigned_logout_request_from_an_app_with_an_sp_certificate_is_refused(
    signed_app_factory, sp_keys
):
    application = signed_app_factory()
    member = _member_of(application)
    browser = _browser(member)
    auth = _sso(browser, _signing_sp(browser, application, sp_keys))
    unsigned = onelogin_sp(browser, application)
    # Same-site, with the victim's cookie, as a cross-site top-level GET would be.
    answer = browser.get(path_and_query(unsigned.logout_url(name_id=auth.get_nameid())))
    assert answer.status_code == 400
    assert "must be signed" in answer.text
    assert _signed_in(browser)
    assert AuditEvent.objects.filter(action="sso.logout", outcome="failure").exists()


@pytest.mark.django_db
def test_an_unsigned_logout_request_asks_the_user_then_the_confirming_post_ends_it(
    saml_app, member
):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    sp = onelogin_sp(browser, saml_app)
    auth = _sso(browser, sp)
    page = browser.get(path_and_query(sp.logout_url(name_id=auth.get_nameid())))
    assert page.status_code == 200
    assert f"Sign out of {saml_app.display_label} and Tessera?" in page.text
    assert _signed_in(browser)
    confirm_url = reverse("saml:slo-confirm", args=[saml_app.idp_suffix])
    # A cross-site form cannot confirm for the user: the POST needs our CSRF token.
    assert browser.post(confirm_url).status_code == 403
    assert browser.get(confirm_url).status_code == 405
    assert _signed_in(browser)

    token = browser.cookies["csrftoken"].value
    answer = browser.post(confirm_url, {"csrfmiddlewaretoken": token})

    assert answer.status_code == 302
    assert answer["Location"].startswith(SP_SLO_URL + "?")
    result = sp.process_logout_response(url=answer["Location"])
    assert result.get_errors() == [], result.get_last_error_reason()
    assert not _signed_in(browser)
    assert not SpSession.objects.filter(application=saml_app).exists()
    confirmed = AuditEvent.objects.filter(action="sso.logout").latest("pk")
    assert (confirmed.outcome, confirmed.actor) == ("success", member)
    # The confirmation is single use.
    browser.force_login(member)
    token = browser.cookies["csrftoken"].value
    assert browser.post(confirm_url, {"csrfmiddlewaretoken": token}).status_code == 400
    assert _signed_in(browser)


@pytest.mark.django_db
def test_an_unsigned_logout_request_without_a_session_here_is_answered_and_ends_nothing(
    saml_app, member
):
    browser = _browser(member)
    sp = onelogin_sp(browser, saml_app)
    _sso(browser, sp)
    answer = _cross_site_logout(sp, name_id=member.email)
    assert answer.status_code == 302
    assert answer["Location"].startswith(SP_SLO_URL + "?")
    assert _signed_in(browser)


@pytest.mark.django_db
def test_a_logout_response_is_accepted_for_a_deactivated_app(client, saml_app, member):
    client.force_login(member)
    issued_logout_request_record(
        application=saml_app, request_id="_ours-2", session_key=client.session.session_key
    )
    app_services.application_sso_deactivate(application=saml_app)
    sp = onelogin_sp(client, saml_app)
    answer = client.get(path_and_query(sp.logout_response_url(in_response_to="_ours-2")))
    assert answer.status_code == 302
    assert not _signed_in(client)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "logout",
    [
        pytest.param({"name_id": "ADA@example.com"}, id="nameid-in-another-case"),
        pytest.param({"name_id": "ada@example.com", "session_index": "id-wrong"}, id="wrong-index"),
    ],
)
def test_an_unsigned_logout_request_not_naming_this_browsers_session_asks_nothing(
    saml_app, member, logout
):
    browser = _browser(member)
    sp = onelogin_sp(browser, saml_app)
    _sso(browser, sp)
    answer = browser.get(path_and_query(sp.logout_url(**logout)))
    assert answer.status_code == 302
    assert answer["Location"].startswith(SP_SLO_URL + "?")
    assert _signed_in(browser)


@pytest.mark.django_db
def test_an_unsigned_logout_request_for_a_session_this_app_never_reached_asks_nothing(
    saml_app, member
):
    browser = _browser(member)  # signed in, but no assertion went to the app from here
    sp = onelogin_sp(browser, saml_app)
    answer = browser.get(path_and_query(sp.logout_url(name_id=member.email)))
    assert answer.status_code == 302
    assert _signed_in(browser)
