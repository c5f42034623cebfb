import base64
import re

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from sso_apps.models import AuditEvent
from sso_apps.tests.idp.sp_harness import path_and_query, posted_form

SAML_TESTER_PATH = "/sp-tester/"


def tile_launch(client, application):
    """Click the console tile: IdP-initiated SSO; return the ACS page the IdP posts to."""
    page = client.post(f"/saml2/{application.idp_suffix}/init")
    assert page.status_code == 200, page.content
    action, fields = posted_form(page.text)
    assert action == "http://127.0.0.1:8000/sp-tester/acs"
    return fields


def row_counts():
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if t != "django_session"]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - our own table names
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.django_db
def test_seeded_tester_app_is_active_and_authorised_for_engineering(demo):
    assert demo.display_label == "Tessera SAML Tester"
    assert demo.sso_active
    config = demo.saml
    assert config.sp_entity_id == "http://127.0.0.1:8000/sp-tester/metadata"
    assert config.acs_urls.get(is_default=True).url == "http://127.0.0.1:8000/sp-tester/acs"
    assert config.sp_logout_url == "http://127.0.0.1:8000/sp-tester/sls"
    assert config.sp_certificate.startswith("-----BEGIN CERTIFICATE-----")
    assert not config.require_signed_requests
    assert [g.name for g in demo.authorized_groups.all()] == ["Engineering"]


@pytest.mark.django_db
def test_seeding_again_changes_nothing_it_counts(demo):
    from accounts.models import UserGroup
    from sso_apps.demo import demo_saml_tester_seed

    before = row_counts()
    again = demo_saml_tester_seed(groups=[UserGroup.objects.get(name="Engineering")])
    assert again.pk == demo.pk
    after = row_counts()
    # Audit events record each save; nothing else may grow.
    changed = {t for t in after if after[t] != before[t]}
    assert changed <= {"sso_apps_auditevent"}, changed


@pytest.mark.django_db
def test_tile_launch_lands_on_a_validated_assertion(client, demo, ada):
    client.force_login(ada)
    page = client.post("/sp-tester/acs", tile_launch(client, demo))
    text = page.content.decode()
    assert page.status_code == 200, text
    assert "Valid: python3-saml accepted this Response" in text
    assert 'data-testid="sp-tester-nameid">ada.lovelace@example.com<' in text
    for name, value in [
        ("email", "ada.lovelace@example.com"),
        ("firstName", "Ada"),
        ("lastName", "Lovelace"),
        ("department", "Engineering"),
        ("memberOf", "Engineering"),
    ]:
        assert re.search(rf"<code>{name}</code></td><td>.*<code>{value}</code>", text), name
    assert "http://127.0.0.1:8000/saml2/tessera-saml-tester" in text  # Issuer
    assert "urn:oasis:names:tc:SAML:2.0:ac:classes:" in text  # AuthnContext
    assert text.count("signed, verified") == 2  # Response and Assertion
    assert "none (IdP-initiated)" in text


@pytest.mark.django_db
@pytest.mark.parametrize("binding", ["redirect", "post"])
@pytest.mark.parametrize("signed", [True, False])
def test_sp_initiated_sign_in_over_each_binding_signed_or_not(client, demo, ada, binding, signed):
    client.force_login(ada)
    form = {"binding": binding, **({"signed": "on"} if signed else {})}
    started = client.post("/sp-tester/login", form)
    if binding == "redirect":
        assert started.status_code == 302
        location = started["Location"]
        assert ("Signature=" in location) is signed
        idp_page = client.get(path_and_query(location), follow=True)
    else:
        action, fields = posted_form(
            started.content.decode().replace('id="sp-tester-post-form"', 'id="saml-post-form"')
        )
        xml = base64.b64decode(fields["SAMLRequest"]).decode()
        assert ("<ds:Signature" in xml) is signed
        idp_page = client.post(path_and_query(action), fields, follow=True)
    action, fields = posted_form(idp_page.content.decode())
    page = client.post(path_and_query(action), fields)
    text = page.content.decode()
    assert page.status_code == 200, text
    assert "Valid: python3-saml accepted this Response" in text
    # The Response answers the request this session sent, and carries its RelayState.
    assert "none (IdP-initiated)" not in text
    assert "<code>http://127.0.0.1:8000/sp-tester/</code>" in text
    event = AuditEvent.objects.get(action="sso.login", outcome="success")
    assert event.binding == binding


@pytest.mark.django_db
def test_sp_initiated_logout_ends_the_idp_session_and_confirms(client, demo, ada):
    client.force_login(ada)
    client.post("/sp-tester/acs", tile_launch(client, demo))
    started = client.post("/sp-tester/logout")
    assert started.status_code == 302
    assert "/saml2/tessera-saml-tester/slo?SAMLRequest=" in started["Location"]
    answered = client.get(path_and_query(started["Location"]))
    assert answered["Location"].startswith("http://127.0.0.1:8000/sp-tester/sls?SAMLResponse=")
    # Not follow=True: the test client would drop the port from an absolute Location.
    page = client.get(path_and_query(answered["Location"]))
    text = page.content.decode()
    assert page.status_code == 200, text
    assert "Logged out: the IdP confirmed the logout." in text
    assert "sp_tester" not in client.session
    # The IdP's single logout signed the user out of Tessera too.
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_without_an_accepted_assertion_is_refused(client, demo):
    response = client.post("/sp-tester/logout")
    assert response.status_code == 400


@pytest.mark.django_db
def test_tampered_response_is_shown_invalid_with_the_reason(client, demo, ada):
    client.force_login(ada)
    fields = tile_launch(client, demo)
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    tampered = xml.replace("ada.lovelace@example.com", "grace.hopper@example.com")
    assert tampered != xml
    fields["SAMLResponse"] = base64.b64encode(tampered.encode()).decode()
    page = client.post("/sp-tester/acs", fields)
    text = page.content.decode()
    assert page.status_code == 400
    assert "Invalid:" in text and "Valid: python3-saml" not in text
    assert "Signature validation failed" in text or "digest" in text.lower(), text
    assert "signed, not accepted" in text
    # The forged NameID is displayed for diagnosis but never becomes the session's login.
    assert "name_id" not in client.session.get("sp_tester", {})


@pytest.mark.django_db
def test_response_for_another_sp_is_invalid(client, demo, ada, settings):
    client.force_login(ada)
    fields = tile_launch(client, demo)
    # The tester now believes it is another SP: the audience and recipient no longer match.
    settings.TESSERA_BASE_URL = "http://other.example"
    page = client.post("/sp-tester/acs", fields)
    assert page.status_code == 400
    assert "Invalid:" in page.content.decode()


@pytest.mark.django_db
def test_acs_keeps_no_response_at_rest(client, demo, ada):
    client.force_login(ada)
    fields = tile_launch(client, demo)
    before = row_counts()
    client.post("/sp-tester/acs", fields)
    assert row_counts() == before
    response_id = re.search(
        r'ID="([^"]+)"', base64.b64decode(fields["SAMLResponse"]).decode()
    ).group(1)
    for session in Session.objects.all():
        decoded = str(session.get_decoded())
        assert fields["SAMLResponse"][:40] not in decoded
        assert response_id not in decoded
    assert set(client.session["sp_tester"]) <= {"name_id", "name_id_format", "session_index"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/sp-tester/"),
        ("get", "/sp-tester/metadata"),
        ("post", "/sp-tester/acs"),
        ("post", "/sp-tester/login"),
        ("post", "/sp-tester/logout"),
        ("get", "/sp-tester/sls"),
    ],
)
def test_every_tester_page_is_404_when_disabled(client, settings, method, path):
    settings.SP_TESTER_ENABLED = False
    assert getattr(client, method)(path).status_code == 404


def test_production_settings_leave_the_tester_off():
    from portal.settings import base

    assert base.SP_TESTER_ENABLED is False


@pytest.mark.django_db
def test_home_explains_when_the_tester_app_is_missing(client):
    page = client.get(SAML_TESTER_PATH)
    assert page.status_code == 503
    assert "seed_demo" in page.content.decode()


@pytest.mark.django_db
def test_home_shows_sp_and_idp_values(client, demo):
    page = client.get(SAML_TESTER_PATH)
    text = page.content.decode()
    assert page.status_code == 200
    assert "http://127.0.0.1:8000/sp-tester/acs" in text
    assert "http://127.0.0.1:8000/saml2/tessera-saml-tester" in text


@pytest.mark.django_db
def test_metadata_names_the_tester_and_its_certificate(client, tester_key_file):
    from sp_tester.keys import sp_key_pair

    page = client.get("/sp-tester/metadata")
    xml = page.content.decode()
    assert page.status_code == 200
    assert 'entityID="http://127.0.0.1:8000/sp-tester/metadata"' in xml
    certificate = sp_key_pair(tester_key_file).certificate_pem
    body = "".join(certificate.strip().splitlines()[1:-1])
    assert body in xml.replace("\n", "")
    assert OneLogin_Saml2_Utils is not None


def test_the_url_conf_exempts_exactly_the_views_that_are_csrf_exempt():
    # The URLconf imports the views lazily, so it restates csrf_exempt: keep them in step.
    from django.urls import get_resolver

    from sp_tester import views

    for pattern in get_resolver("sp_tester.urls").url_patterns:
        real = getattr(views, pattern.callback.__name__)
        assert getattr(pattern.callback, "csrf_exempt", False) == getattr(
            real, "csrf_exempt", False
        ), pattern.name
