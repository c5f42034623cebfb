"""Every kind of page carries the Content-Security-Policy and the other hardening headers."""

import importlib
import re
import secrets
import sys

import pytest
from django.urls import reverse

from sso_apps.services import saml_configs
from sso_apps.tests.idp.flows import onelogin_sp
from sso_apps.tests.idp.sp_harness import SP_ACS_URL, SP_SLO_URL, path_and_query

SITE_FORM_ACTION = ["'self'"]


def policy(response) -> dict[str, list[str]]:
    """Return the enforced CSP of a response as {directive: [values]}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        assert name not in directives, f"directive {name} twice"
        directives[name] = values
    return directives


def _nonce(csp) -> str | None:
    values = [v for v in csp["script-src"] if v.startswith("'nonce-")]
    assert len(values) <= 1
    if not values:
        return None
    assert re.fullmatch(r"'nonce-[\w-]{20,}'", values[0]), values
    return values[0][len("'nonce-") : -1]


def assert_hardened(response, *, form_action=SITE_FORM_ACTION):
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    # The nonce appears only on pages that rendered it (django.utils.csp.LazyNonce).
    nonce = _nonce(csp)
    nonced = [f"'nonce-{nonce}'"] if nonce else []
    assert csp["script-src"] == ["'self'", *nonced]
    assert csp["style-src"] == ["'self'", *nonced]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["form-action"] == form_action
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    # Inline <script> and <style> elements run only with this response's nonce.
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", response.text):
        assert "src=" in tag or f'nonce="{nonce}"' in tag, tag


@pytest.fixture
def end_user(user_factory):
    return user_factory(email="outsider@example.com")


def _pages(client, app, member, administrator, end_user):
    """Yield (name, response) for a page of every kind."""
    suffix = app.idp_suffix
    yield "console login", client.get(reverse("console:login"))
    yield "404", client.get("/no-such-page/")
    yield "saml metadata", client.get(reverse("saml:metadata", args=[suffix]))
    yield "saml error", client.get(reverse("saml:sso", args=[suffix]))
    client.force_login(end_user)
    yield "403", client.get(reverse("admin:index"))
    client.force_login(member)
    yield "console home", client.get(reverse("console:home"))
    yield "console account", client.get(reverse("console:account"))
    yield "saml launch", client.get(reverse("saml:init", args=[suffix]))
    client.force_login(administrator)
    yield "admin index", client.get(reverse("admin:index"))
    yield "app list", client.get(reverse("admin:sso_apps_application_changelist"))
    yield "app change", client.get(reverse("admin:sso_apps_application_change", args=[app.pk]))
    yield "sso tab", client.get(reverse("admin:sso_apps_application_sso", args=[app.pk]))


EXPECTED_STATUS = {"404": 404, "saml error": 400, "403": 403}


@pytest.mark.django_db
def test_every_kind_of_page_carries_the_policy_and_hardening_headers(
    client, saml_app, member, administrator, end_user
):
    seen = []
    for name, response in _pages(client, saml_app, member, administrator, end_user):
        assert response.status_code == EXPECTED_STATUS.get(name, 200), name
        assert_hardened(response)
        seen.append(name)
    assert len(seen) == 12


@pytest.mark.django_db
def test_sign_in_auto_post_page_may_post_to_its_acs_url_only(client, saml_app, member):
    client.force_login(member)
    response = client.post(reverse("saml:init", args=[saml_app.idp_suffix]))
    assert response.status_code == 200
    assert f'action="{SP_ACS_URL}"' in response.text
    assert_hardened(response, form_action=[SP_ACS_URL])
    nonce = _nonce(policy(response))
    assert nonce and f'<script nonce="{nonce}">' in response.text
    # The policy would block the header's sign-out form, so the page has none.
    assert reverse("console:logout") not in response.text


@pytest.mark.django_db
def test_logout_auto_post_page_may_post_to_the_sp_logout_url_only(client, saml_app, member):
    saml_configs.saml_config_update(
        application=saml_app, changes=saml_configs.SamlConfigInput(sp_logout_binding="post")
    )
    saml_app.refresh_from_db()
    client.force_login(member)
    sp = onelogin_sp(client, saml_app)
    response = client.get(path_and_query(sp.logout_url(name_id=member.email)))
    assert response.status_code == 200
    assert f'action="{SP_SLO_URL}"' in response.text
    assert_hardened(response, form_action=[SP_SLO_URL])


@pytest.mark.django_db
def test_each_response_gets_its_own_nonce(client, saml_app, member):
    client.force_login(member)
    url = reverse("saml:init", args=[saml_app.idp_suffix])
    first, second = (_nonce(policy(client.post(url))) for _ in range(2))
    assert first and second and first != second


def _production_settings(monkeypatch) -> dict:
    """Return the cookie, HSTS and proxy settings portal.settings.prod really computes."""
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(64))
    monkeypatch.setenv("SSO_APPS_KEY_ENCRYPTION_SECRET", secrets.token_urlsafe(48))
    monkeypatch.setenv("TESSERA_BASE_URL", "https://sso.example.com")
    saved = {name: module for name, module in sys.modules.items() if name.startswith("portal.s")}
    for name in saved:
        del sys.modules[name]
    try:
        prod = importlib.import_module("portal.settings.prod")
    finally:
        for name in [name for name in sys.modules if name.startswith("portal.s")]:
            del sys.modules[name]
        sys.modules.update(saved)
        sys.modules["portal"].settings = saved["portal.settings"]
    prefixes = ("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_")
    return {name: getattr(prod, name) for name in dir(prod) if name.startswith(prefixes)}


@pytest.mark.django_db
def test_production_sends_hsts_and_secure_cookies(
    client, settings, monkeypatch, user_factory, password
):
    for name, value in _production_settings(monkeypatch).items():
        setattr(settings, name, value)
    user_factory(email="ada@example.com")
    page = client.get(reverse("console:login"), secure=True)
    assert page.status_code == 200
    assert_hardened(page)
    hsts = page["Strict-Transport-Security"]
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    signed_in = client.post(
        reverse("console:login"),
        {"email": "ada@example.com", "password": password},
        secure=True,
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    session = signed_in.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert int(session["max-age"]) <= settings.TESSERA_SESSION_ABSOLUTE_LIFETIME_SECONDS
    # Plain http is sent to https first, before any page is served.
    plain = client.get(reverse("console:login"))
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
