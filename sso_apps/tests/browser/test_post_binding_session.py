"""Hole 7 in real Chromium: an SP's cross-site POST AuthnRequest keeps the console session.

The portal runs at http://localhost:PORT and the test SP at http://127.0.0.1:PORT2: two
different sites, so Chromium leaves the SameSite=Lax session cookie off the SP's POST.
"""

import base64
import html

import pytest
from onelogin.saml2.authn_request import OneLogin_Saml2_Authn_Request
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from accounts.tests.factories import DEFAULT_PASSWORD
from sso_apps.models import ConnectorTemplate
from sso_apps.services import applications as app_services
from sso_apps.services import saml_configs
from sso_apps.services.catalog import catalog_load
from sso_apps.services.saml_configs import AcsUrlInput, AttributeInput
from sso_apps.tests.browser.sp_server import TestServiceProvider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class PostBindingSp(TestServiceProvider):
    """The test SP, which also starts SP-initiated SSO over HTTP-POST at /login-post."""

    def app(self, environ, start_response):
        if environ["PATH_INFO"] != "/login-post":
            return super().app(environ, start_response)
        request = OneLogin_Saml2_Authn_Request(OneLogin_Saml2_Settings(self.settings))
        encoded = base64.b64encode(request.get_xml().encode()).decode()
        sso = self.settings["idp"]["singleSignOnService"]["url"]
        body = (
            f'<form id="sso" method="post" action="{html.escape(sso)}">'
            f'<input type="hidden" name="SAMLRequest" value="{encoded}">'
            f'<input type="hidden" name="RelayState" value="{html.escape(self.base_url)}/">'
            '<button type="submit">Continue</button></form>'
            "<script>document.getElementById('sso').submit()</script>"
        )
        return self._page(start_response, body)


@pytest.fixture
def post_sp():
    sp = PostBindingSp().start()
    yield sp
    sp.stop()


@pytest.fixture
def application(portal, post_sp, user_factory, group_factory):
    """GoToAssist from the catalog, pointed at the POST-binding test SP, for "Support"."""
    catalog_load()
    application = app_services.application_create(
        connector=ConnectorTemplate.objects.get(slug="gotoassist"), display_label="GoToAssist"
    )
    saml_configs.saml_config_update(
        application=application,
        changes=saml_configs.SamlConfigInput(
            domain="acme",
            sp_entity_id=post_sp.entity_id,
            allow_http_sp_urls=True,  # the test SP listens on http://127.0.0.1
        ),
        acs_urls=[AcsUrlInput(url=post_sp.acs_url, is_default=True)],
        attributes=[AttributeInput(name="email", source="email")],
    )
    app_services.application_sso_activate(application=application)
    member = user_factory(email="grace@example.com", first_name="Grace", last_name="Hopper")
    app_services.application_groups_set(
        application=application, groups=[group_factory(name="Support", members=[member])]
    )
    post_sp.configure(f"{portal}/saml2/{application.idp_suffix}/metadata")
    return application


def session_cookie(context, portal):
    from django.conf import settings

    (cookie,) = [c for c in context.cookies(portal) if c["name"] == settings.SESSION_COOKIE_NAME]
    return cookie["value"]


def test_cross_site_post_sso_signs_in_at_the_sp_without_a_second_sign_in(
    application, portal, post_sp, new_context, screenshot
):
    assert portal.split(":")[1] != post_sp.base_url.split(":")[1]  # two sites, not one
    context = new_context()
    page = context.new_page()
    page.goto(f"{portal}/userconsole/login/")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="GoToAssist").wait_for()
    console_session = session_cookie(context, portal)

    visited = []
    page.on("request", lambda request: visited.append(request.url))
    page.goto(f"{post_sp.base_url}/login-post")
    page.wait_for_url(f"{post_sp.base_url}/")
    assert not post_sp.last_error
    assert page.get_by_role("heading").inner_text() == "Signed in as grace@example.com"
    screenshot(page, "hole7-post-binding-at-sp")
    assert [url for url in visited if "/userconsole/login" in url] == []
    # The same-origin re-post is answered at once: a signed-in session needs no detour.
    assert not any(url.endswith(f"/saml2/{application.idp_suffix}/continue") for url in visited)

    assert session_cookie(context, portal) == console_session
    page.goto(f"{portal}/userconsole/")
    assert page.url == f"{portal}/userconsole/"
    assert page.get_by_role("button", name="GoToAssist").is_visible()


def test_cross_site_post_sso_without_a_session_asks_to_sign_in_once(
    application, portal, post_sp, new_context
):
    page = new_context().new_page()
    sso = f"{portal}/saml2/{application.idp_suffix}"
    posts = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" and r.url == sso else None)
    page.goto(f"{post_sp.base_url}/login-post")
    page.wait_for_url(f"{portal}/userconsole/login/**")
    # The SP's POST, then exactly one same-origin re-post: Chromium's own header is what
    # lets the cookieless re-post through, so it must not loop.
    assert [r.all_headers().get("sec-fetch-site") for r in posts] == ["cross-site", "same-origin"]
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{post_sp.base_url}/")
    assert page.get_by_role("heading").inner_text() == "Signed in as grace@example.com"
