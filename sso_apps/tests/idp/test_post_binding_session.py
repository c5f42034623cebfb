"""Hole 7: a cross-site POST AuthnRequest keeps the signed-in user's session.

The SP's auto-POST reaches us without our SameSite=Lax cookie. A second Django client
with no cookies plays that request; the signed-in client then does what the browser
does with the page it gets back.
"""

import base64
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sso_apps.idp.post_binding import REPOST_MARKER
from sso_apps.models import AuditEvent, SeenSamlRequest
from sso_apps.saml.bindings import MAX_MESSAGE_BYTES
from sso_apps.tests.idp.flows import onelogin_sp, response_fields
from sso_apps.tests.idp.sp_harness import path_and_query

RELAY_STATE = "https://sp.example.com/home"
CSP_MIDDLEWARE = "django.middleware.csp.ContentSecurityPolicyMiddleware"


class _RepostForm(HTMLParser):
    """Collect the repost form's action and fields as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.fields: dict[str, str] = {}
        self._inside = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "saml-repost-form":
            assert (attrs.get("method") or "").lower() == "post"
            self.action, self._inside = attrs["action"], True
        elif tag == "input" and self._inside:
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False


def repost_form(page) -> tuple[str, dict[str, str]]:
    assert page.status_code == 200, page.text[:500]
    parser = _RepostForm()
    parser.feed(page.text)
    assert parser.action, "no repost form in the page"
    return parser.action, parser.fields


def sso_path(application) -> str:
    return reverse("saml:sso", args=[application.idp_suffix])


def session_keys() -> set[str]:
    return set(Session.objects.values_list("session_key", flat=True))


def assert_nothing_kept(response, sessions_before: set[str]):
    assert not response.cookies, response.cookies
    assert session_keys() == sessions_before
    assert not SeenSamlRequest.objects.exists()


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def authn_request(signed_in, saml_app):
    """Return (python3-saml SP, POST form data, request ID)."""
    sp = onelogin_sp(signed_in, saml_app)
    data, request_id = sp.post_authn_request()
    return sp, {**data, "RelayState": RELAY_STATE}, request_id


@pytest.mark.django_db
def test_cookieless_post_is_reposted_and_the_existing_session_answers_it(
    signed_in, saml_app, authn_request
):
    sp, data, request_id = authn_request
    original_key = signed_in.session.session_key
    before = session_keys()

    page = Client().post(sso_path(saml_app), data)

    assert 'id="saml-post-form"' not in page.text  # no Response yet
    action, fields = repost_form(page)
    assert action == sso_path(saml_app)
    assert fields == {**data, REPOST_MARKER: "1"}
    assert_nothing_kept(page, before)

    answered = signed_in.post(action, fields)
    # The re-post itself is answered: the signed-in session needs no detour.
    assert answered.status_code == 200, answered.text[:300]
    # Nothing was kept in the session, so no cookie is re-sent; if one were, it must name
    # the same session.
    reissued = answered.cookies.get(settings.SESSION_COOKIE_NAME)
    assert reissued is None or reissued.value == original_key
    result = response_fields(answered)
    auth = sp.acs(result, request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.get_nameid() == "ada@example.com"
    assert result["RelayState"] == RELAY_STATE
    assert signed_in.session.session_key == original_key
    assert session_keys() == before
    assert signed_in.get(reverse("console:home")).status_code == 200


@pytest.mark.django_db
def test_the_repost_page_writes_nothing_to_the_database(saml_app, authn_request):
    _, data, _ = authn_request
    with CaptureQueriesContext(connection) as queries:
        page = Client().post(sso_path(saml_app), data)
    assert page.status_code == 200
    verbs = ("INSERT", "UPDATE", "DELETE")
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(verbs)]
    assert writes == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "http://testserver"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_REFERER": "https://evil.example/login"},
    ],
)
def test_a_forged_marker_from_another_site_still_gets_only_the_repost_page(
    saml_app, authn_request, headers
):
    _, data, _ = authn_request
    before = session_keys()
    page = Client().post(sso_path(saml_app), {**data, REPOST_MARKER: "1"}, **headers)
    _, fields = repost_form(page)
    assert fields == {**data, REPOST_MARKER: "1"}
    assert_nothing_kept(page, before)


@pytest.mark.django_db
def test_same_origin_repost_without_a_session_goes_through_sign_in(
    saml_app, member, password, authn_request
):
    sp, data, request_id = authn_request
    browser = Client()
    _, fields = repost_form(browser.post(sso_path(saml_app), data))
    answered = browser.post(
        sso_path(saml_app),
        fields,
        HTTP_SEC_FETCH_SITE="same-origin",
        HTTP_ORIGIN="http://testserver",
    )
    assert answered.status_code == 302
    assert SeenSamlRequest.objects.filter(request_id=request_id).exists()
    continue_url = answered["Location"]
    login = browser.get(continue_url)
    assert "/userconsole/login/" in login["Location"]
    signed = browser.post(login["Location"], {"email": member.email, "password": password})
    assert signed["Location"] == continue_url
    auth = sp.acs(response_fields(browser.get(continue_url)), request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.get_nameid() == "ada@example.com"


@pytest.mark.django_db
def test_the_marker_skips_no_check(signed_in, saml_app, authn_request):
    _, data, _ = authn_request
    forged = base64.b64decode(data["SAMLRequest"]).replace(b'Version="2.0"', b'Version="1.1"')
    response = signed_in.post(
        sso_path(saml_app),
        {"SAMLRequest": base64.b64encode(forged).decode(), REPOST_MARKER: "1"},
    )
    assert response.status_code == 400
    assert AuditEvent.objects.filter(action="sso.request", outcome="failure").exists()


@pytest.mark.django_db
def test_hostile_values_are_escaped_on_the_repost_page(saml_app, authn_request):
    _, data, _ = authn_request
    hostile = '"><script>alert(1)</script><input name="x'
    page = Client().post(sso_path(saml_app), {**data, "RelayState": hostile, "extra": "dropped"})
    assert "<script>alert(1)" not in page.text
    _, fields = repost_form(page)
    assert fields == {**data, "RelayState": hostile, REPOST_MARKER: "1"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("A" * (4 * -(-MAX_MESSAGE_BYTES // 3) + 4), "exceeds"),
        ("not*base64!", "base64"),
        (base64.b64encode(b"<html>nope</html>").decode(), "Expected a SAML AuthnRequest"),
    ],
    ids=["oversize", "bad-base64", "not-saml"],
)
def test_a_bad_cookieless_request_is_refused_before_anything_is_echoed(saml_app, value, reason):
    before = session_keys()
    response = Client().post(sso_path(saml_app), {"SAMLRequest": value})
    assert response.status_code == 400
    assert reason in unescape(response.text)
    assert value not in response.text
    assert "saml-repost-form" not in response.text
    assert_nothing_kept(response, before)
    assert AuditEvent.objects.filter(action="sso.request", outcome="failure").count() == 1


@pytest.mark.django_db
def test_a_replayed_cookieless_request_is_refused_at_the_first_hop(
    signed_in, saml_app, authn_request
):
    _, data, _ = authn_request
    assert signed_in.post(sso_path(saml_app), data).status_code == 200
    response = Client().post(sso_path(saml_app), data)
    assert response.status_code == 400
    assert "already used" in response.text
    assert "saml-repost-form" not in response.text


@pytest.mark.django_db
def test_an_inactive_app_refuses_a_cookieless_post_without_a_repost(saml_app, authn_request):
    from sso_apps.services import applications as app_services

    _, data, _ = authn_request
    app_services.application_sso_deactivate(application=saml_app)
    response = Client().post(sso_path(saml_app), data)
    assert response.status_code == 403
    assert "saml-repost-form" not in response.text


@pytest.mark.django_db
def test_the_repost_page_allows_only_its_nonced_script_and_a_same_origin_form(
    settings, saml_app, authn_request
):
    if CSP_MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, CSP_MIDDLEWARE]
    _, data, _ = authn_request
    page = Client().post(sso_path(saml_app), data)
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in page["Content-Security-Policy"].split(";")
        if directive.strip()
    }
    (nonce,) = re.findall(r'<script nonce="([^"]+)">', page.text)
    assert policy["script-src"] == [f"'nonce-{nonce}'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert page["Referrer-Policy"] == "same-origin"
    assert not page.cookies


@pytest.mark.django_db
def test_the_redirect_binding_is_not_reposted(saml_app, authn_request):
    sp, _, _ = authn_request
    url, _ = sp.login_url()
    response = Client().get(path_and_query(url))
    assert response.status_code == 302
    assert response["Location"].endswith("/continue")
