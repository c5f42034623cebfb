"""Hole 1: an SP URL is https:// (http:// only when allowed) on every way in, and at render."""

import functools

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from sso_apps.catalog.schema import validate_connector
from sso_apps.models import AcsUrl, Application, AuditEvent, SamlConfig
from sso_apps.services import saml_configs
from sso_apps.services.saml_configs import AcsUrlInput
from sso_apps.tests.admin.helpers import HTTP_POST, app_url, sp_metadata_xml, sso_post

HOSTILE_URLS = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "JaVaScRiPt:alert(document.domain)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/acs",
    "/relative/acs",
    "https://user:pw@sp.example.com/acs",
    "https://sp.example.com@evil.example/acs",
    "https://sp.example.com\\@evil.example/acs",
    "ftp://sp.example.com/acs",
    "https:///acs",
    "https:/sp.example.com/acs",
    "HTTPS://sp.example.com/acs",
    "https://sp.example.com:99999/acs",
    'https://sp.example.com/acs"><script>alert(1)</script>',
    "https://sp.ex\u0430mple.com/acs",
]
GOOD_URLS = [
    "https://sp.example.com/acs",
    "https://sp.example.com:8443/saml/acs?tenant=acme#top",
    "https://YOURDOMAIN.vendor.test/acs/ORG_ID",
    "https://[2001:db8::1]/acs",
    "https://www.google.com/a/acme/ServiceLogin?continue=https://mail.google.com",
]
HTTP_URL = "http://127.0.0.1:8080/acs"


# A representative few for the slower HTTP-level tests; the rule itself sees them all.
HOSTILE_SAMPLE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.domain)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/acs",
    "https://user:pw@sp.example.com/acs",
    "ftp://sp.example.com/acs",
    "https:///acs",
    'https://sp.example.com/acs"><script>alert(1)</script>',
]


@functools.cache
def _key_pair():
    from sso_apps.saml.keys import generate_key_pair

    return generate_key_pair(common_name="Tessera IdP test")


@pytest.fixture(autouse=True)
def _one_key_pair(monkeypatch):
    """Reuse one real IdP key pair: these tests are about URLs, not RSA key generation."""
    monkeypatch.setattr(
        "sso_apps.services.key_pairs.generate_key_pair", lambda **kwargs: _key_pair()
    )


def config_snapshot(application) -> tuple:
    config = SamlConfig.objects.get(pk=application.pk)
    return (
        [getattr(config, field.name) for field in SamlConfig._meta.concrete_fields],
        list(config.acs_urls.values_list("url", "is_default")),
    )


@pytest.fixture
def ready_app(application_factory):
    application = application_factory(display_label="Acme")
    saml_configs.saml_config_update(
        application=application, changes=saml_configs.SamlConfigInput(domain="acme")
    )
    application.refresh_from_db()
    assert application.sso_active
    return application


# --- The rule itself -------------------------------------------------------------------


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_policy_refuses_every_hostile_url_even_where_http_is_allowed(url):
    from sso_apps.saml.sp_urls import SpUrlError, sp_url_check, sp_url_problem

    assert sp_url_problem(url)
    assert sp_url_problem(url, allow_http=True)
    with pytest.raises(SpUrlError):
        sp_url_check(url, allow_http=True)


@pytest.mark.parametrize("url", GOOD_URLS)
def test_policy_accepts_real_sp_urls_with_placeholders_ports_and_queries(url):
    from sso_apps.saml.sp_urls import sp_url_check

    assert sp_url_check(url) == url


def test_policy_accepts_http_only_when_allowed():
    from sso_apps.saml.sp_urls import sp_url_problem

    assert "Allow http:// SP URLs" in sp_url_problem(HTTP_URL)
    assert sp_url_problem(HTTP_URL, allow_http=True) is None


# --- Model and service layer -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_model_full_clean_refuses_hostile_acs_slo_and_login_urls(ready_app, url):
    config = SamlConfig.objects.get(pk=ready_app.pk)
    with pytest.raises(ValidationError) as acs_error:
        AcsUrl(config=config, url=url).full_clean()
    assert "url" in acs_error.value.error_dict
    for field in ("sp_logout_url", "sp_login_url"):
        setattr(config, field, url)
    with pytest.raises(ValidationError) as config_error:
        config.full_clean(exclude=["application"])
    assert {"sp_logout_url", "sp_login_url"} <= set(config_error.value.error_dict)


@pytest.mark.django_db
@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_service_refuses_hostile_acs_url_and_saves_nothing(ready_app, url):
    before = config_snapshot(ready_app)
    with pytest.raises(ValidationError) as error:
        saml_configs.saml_config_update(
            application=ready_app,
            acs_urls=[AcsUrlInput(url="https://acme.goto.com/new"), AcsUrlInput(url=url)],
        )
    assert "acs_urls" in error.value.error_dict
    assert config_snapshot(ready_app) == before


@pytest.mark.django_db
@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_service_refuses_hostile_slo_url_and_saves_nothing(ready_app, url):
    before = config_snapshot(ready_app)
    with pytest.raises(ValidationError) as error:
        saml_configs.saml_config_update(
            application=ready_app, changes=saml_configs.SamlConfigInput(sp_logout_url=url)
        )
    assert "sp_logout_url" in error.value.error_dict
    assert config_snapshot(ready_app) == before


@pytest.mark.django_db
def test_service_accepts_http_only_with_the_explicit_flag(ready_app):
    before = config_snapshot(ready_app)
    with pytest.raises(ValidationError):
        saml_configs.saml_config_update(application=ready_app, acs_urls=[AcsUrlInput(HTTP_URL)])
    with pytest.raises(ValidationError):
        saml_configs.saml_config_update(
            application=ready_app, changes=saml_configs.SamlConfigInput(sp_logout_url=HTTP_URL)
        )
    assert config_snapshot(ready_app) == before

    saml_configs.saml_config_update(
        application=ready_app,
        changes=saml_configs.SamlConfigInput(
            allow_http_sp_urls=True, sp_logout_url="http://127.0.0.1:8080/slo"
        ),
        acs_urls=[AcsUrlInput(HTTP_URL)],
    )
    config = SamlConfig.objects.get(pk=ready_app.pk)
    assert config.acs_urls.get(is_default=True).url == HTTP_URL
    assert config.sp_logout_url == "http://127.0.0.1:8080/slo"
    event = AuditEvent.objects.filter(action="application.sso_update").latest("pk")
    assert event.details == {"allow_http_sp_urls": True}


@pytest.mark.django_db
def test_unticking_allow_http_while_http_urls_remain_is_refused(ready_app):
    saml_configs.saml_config_update(
        application=ready_app,
        changes=saml_configs.SamlConfigInput(allow_http_sp_urls=True),
        acs_urls=[AcsUrlInput(HTTP_URL)],
    )
    before = config_snapshot(ready_app)
    with pytest.raises(ValidationError) as error:
        saml_configs.saml_config_update(
            application=ready_app, changes=saml_configs.SamlConfigInput(allow_http_sp_urls=False)
        )
    assert "http://" in str(error.value)
    assert config_snapshot(ready_app) == before


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://u:p@sp.example.com/acs"])
def test_connector_defaults_with_a_hostile_acs_url_create_no_application(connector_factory, url):
    connector = connector_factory(
        placeholders=[], saml_defaults={"sp_entity_id": "urn:sp", "acs_urls": [url]}
    )
    with pytest.raises(ValidationError):
        from sso_apps.services.applications import application_create

        application_create(connector=connector, display_label="Hostile")
    assert not Application.objects.filter(display_label="Hostile").exists()


@pytest.mark.django_db
def test_the_database_refuses_a_script_url_written_around_the_models(ready_app):
    config = SamlConfig.objects.filter(pk=ready_app.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        AcsUrl.objects.filter(config_id=ready_app.pk).update(url="javascript:alert(1)")
    with pytest.raises(IntegrityError), transaction.atomic():
        config.update(sp_logout_url="javascript:alert(1)")
    with pytest.raises(IntegrityError), transaction.atomic():
        config.update(sp_login_url="http://sp.example.com/", allow_http_sp_urls=False)


# --- Catalog ---------------------------------------------------------------------------


def _connector(**saml) -> dict:
    return {
        "slug": "hostile",
        "name": "Hostile",
        "type": "saml",
        "category": "it_ops",
        "description": "A connector with a hostile URL.",
        "docs_url": "https://docs.example.com/",
        "keywords": [],
        "icon": None,
        "color": "#123456",
        "verified": False,
        "sources": [],
        "placeholders": [],
        "saml": {
            "sp_entity_id": "https://sp.example.com/metadata",
            "acs_urls": ["https://sp.example.com/acs"],
            "sp_login_url": None,
            "sp_logout_url": None,
            "sp_logout_binding": "post",
            "nameid_format": "emailAddress",
            "nameid_source": "email",
            "sign_response": True,
            "sign_assertion": True,
            "attributes": [],
            "group_attribute": {"enabled": False, "name": None},
            **saml,
        },
    }


def test_catalog_connector_with_good_urls_is_valid():
    assert validate_connector(_connector()) == []


@pytest.mark.parametrize("url", [*HOSTILE_URLS, HTTP_URL])
@pytest.mark.parametrize("key", ["acs_urls", "sp_logout_url", "sp_login_url"])
def test_catalog_refuses_a_hostile_or_http_sp_url(key, url):
    errors = validate_connector(_connector(**{key: [url] if key == "acs_urls" else url}))
    assert any(f"saml.{key}" in error and "https://" in error for error in errors), errors


# --- SSO tab and metadata import -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", [*HOSTILE_SAMPLE, " javascript:alert(1)", "java\tscript:x"])
def test_sso_tab_refuses_hostile_acs_and_slo_urls_and_saves_nothing(admin_client, ready_app, url):
    before = config_snapshot(ready_app)
    acs = admin_client.post(app_url("sso", ready_app), sso_post(ready_app, acs=[url]))
    slo = admin_client.post(app_url("sso", ready_app), sso_post(ready_app, sp_logout_url=url))
    login = admin_client.post(app_url("sso", ready_app), sso_post(ready_app, sp_login_url=url))

    assert acs.status_code == slo.status_code == login.status_code == 200
    assert any(acs.context["acs_formset"].errors) or acs.context["form"].non_field_errors()
    assert "sp_logout_url" in slo.context["form"].errors
    assert "sp_login_url" in login.context["form"].errors
    assert config_snapshot(ready_app) == before


@pytest.mark.django_db
def test_sso_tab_takes_http_urls_only_with_the_allow_http_box_ticked(admin_client, ready_app):
    page = admin_client.get(app_url("sso", ready_app)).text
    assert "Allow http:// SP URLs (local testing only)" in page
    before = config_snapshot(ready_app)
    refused = admin_client.post(
        app_url("sso", ready_app), sso_post(ready_app, acs=[HTTP_URL], sp_logout_url=HTTP_URL)
    )
    assert refused.status_code == 200
    assert "Allow http:// SP URLs" in refused.text
    assert config_snapshot(ready_app) == before

    accepted = admin_client.post(
        app_url("sso", ready_app),
        sso_post(ready_app, acs=[HTTP_URL], sp_logout_url=HTTP_URL, allow_http_sp_urls=True),
    )
    assert accepted.status_code == 302
    config = SamlConfig.objects.get(pk=ready_app.pk)
    assert config.allow_http_sp_urls
    assert config.acs_urls.get(is_default=True).url == HTTP_URL
    assert "http:// SP URLs are allowed." in admin_client.get(app_url("sso", ready_app)).text


@pytest.mark.django_db
@pytest.mark.parametrize("url", HOSTILE_SAMPLE)
@pytest.mark.parametrize("where", ["acs", "slo"])
@pytest.mark.parametrize("how", ["paste", "upload"])
def test_metadata_import_refuses_hostile_locations_naming_them(
    admin_client, ready_app, url, where, how
):
    from xml.sax.saxutils import quoteattr

    xml = sp_metadata_xml(
        acs=(url,) if where == "acs" else ("https://sp.acme.test/saml/acs",),
        slo=(url, HTTP_POST) if where == "slo" else None,
    )
    # The helper writes Location="..." unescaped; give the hostile value a real attribute.
    xml = xml.replace(f'Location="{url}"', f"Location={quoteattr(url)}")
    before = config_snapshot(ready_app)
    data = (
        {"xml_file": SimpleUploadedFile("sp.xml", xml.encode(), content_type="text/xml")}
        if how == "upload"
        else {"xml": xml}
    )
    response = admin_client.post(app_url("import_metadata", ready_app), data)

    assert response.status_code == 200
    errors = " ".join(response.context["import_form"].non_field_errors())
    assert "Location is refused" in errors
    assert ascii(url)[1:-1][:40] in errors
    assert config_snapshot(ready_app) == before


@pytest.mark.django_db
def test_metadata_import_takes_http_locations_only_with_the_allow_http_box_ticked(
    admin_client, ready_app
):
    xml = sp_metadata_xml(acs=(HTTP_URL,), slo=("http://127.0.0.1:8080/slo", HTTP_POST))
    before = config_snapshot(ready_app)
    refused = admin_client.post(app_url("import_metadata", ready_app), {"xml": xml})
    assert "uses http://" in " ".join(refused.context["import_form"].non_field_errors())
    assert config_snapshot(ready_app) == before

    saml_configs.saml_config_update(
        application=ready_app, changes=saml_configs.SamlConfigInput(allow_http_sp_urls=True)
    )
    accepted = admin_client.post(app_url("import_metadata", ready_app), {"xml": xml})
    assert accepted.status_code == 302
    assert SamlConfig.objects.get(pk=ready_app.pk).acs_urls.get(is_default=True).url == HTTP_URL


def test_sp_metadata_parser_refuses_a_script_location():
    from sso_apps.saml.errors import SpMetadataError
    from sso_apps.saml.sp_metadata import parse_sp_metadata

    with pytest.raises(SpMetadataError, match="javascript:alert"):
        parse_sp_metadata(sp_metadata_xml(acs=("javascript:alert(1)",)))
    with pytest.raises(SpMetadataError, match="SingleLogoutService"):
        parse_sp_metadata(sp_metadata_xml(slo=("javascript:alert(1)", HTTP_POST)))
