import pytest

from sso_apps.models import AuditEvent, SamlConfig
from sso_apps.saml import keys
from sso_apps.tests.admin.helpers import HTTP_REDIRECT, app_url, sp_metadata_xml, sso_post

SP_KEYS = keys.generate_key_pair(common_name="sp.acme.test")


def config_of(application) -> SamlConfig:
    return SamlConfig.objects.get(pk=application.pk)


def config_snapshot(application) -> tuple:
    config = config_of(application)
    return (
        [getattr(config, field.name) for field in SamlConfig._meta.concrete_fields],
        list(config.acs_urls.values_list("url", "is_default")),
        list(config.attributes.values_list("name", "source", "value")),
    )


@pytest.mark.django_db
def test_sso_tab_shows_every_setting_and_the_idp_details(admin_client, saml_app):
    response = admin_client.get(app_url("sso", saml_app))

    page = response.text
    assert response.status_code == 200
    for label in (
        "IdP Entity ID",
        "SP Entity ID",
        "ACS URLs",
        "SP Login URL",
        "SP Logout URL",
        "SP Logout binding",
        "SAMLSubject NameID Format",
        "SAMLSubject NameID",
        "Signature Algorithm",
        "Sign Response",
        "Sign Assertion",
        "Require signed AuthnRequests",
        "Encrypt assertions",
        "SP certificate",
        "Default RelayState",
        "Include group attribute",
        "Group attribute name",
        "Service Provider Attribute Name",
        "Domain",
        "Import SP metadata",
    ):
        assert label in page, label
    for value in (saml_app.idp_sso_url, saml_app.idp_slo_url, saml_app.idp_metadata_url):
        # Shown whole (it wraps) beside its Copy button.
        assert f'class="sso-copy__value sso-mono">{value}</code>' in page
    assert 'data-copy="idp-sso-url"' in page
    assert "IDP Certificate Valid" in page


@pytest.mark.django_db
def test_warning_names_each_field_still_holding_a_placeholder(admin_client, saml_app):
    page = admin_client.get(app_url("sso", saml_app)).text

    assert "Placeholders remain, so SSO cannot be activated yet." in page
    assert "SP Entity ID still contains YOURDOMAIN." in page
    assert "ACS URL still contains YOURDOMAIN." in page
    assert "SP Login URL still contains YOURDOMAIN." in page
    assert "Attribute plan still contains YOURDOMAIN." in page


@pytest.mark.django_db
def test_domain_replaces_yourdomain_everywhere(admin_client, saml_app):
    response = admin_client.post(app_url("sso", saml_app), sso_post(saml_app, domain="acme"))

    assert response.status_code == 302
    config = config_of(saml_app)
    assert config.sp_entity_id == "https://acme.goto.com/saml"
    assert config.sp_login_url == "https://acme.goto.com/login"
    assert list(config.acs_urls.values_list("url", flat=True)) == ["https://acme.goto.com/saml/acs"]
    assert config.attributes.get(name="plan").value == "acme-enterprise"
    page = admin_client.get(app_url("sso", saml_app)).text
    assert "Placeholders remain" not in page
    assert "YOURDOMAIN" not in config.sp_entity_id


@pytest.mark.django_db
@pytest.mark.parametrize("domain", ["https://acme.goto.com", "acme corp", "acme/x"])
def test_domain_must_be_the_bare_name(admin_client, saml_app, domain):
    before = config_snapshot(saml_app)
    response = admin_client.post(app_url("sso", saml_app), sso_post(saml_app, domain=domain))
    assert response.status_code == 200
    assert "domain" in response.context["form"].errors
    assert config_snapshot(saml_app) == before


@pytest.mark.django_db
def test_named_placeholders_get_their_own_inputs(
    admin_client, connector_factory, application_factory
):
    connector = connector_factory(
        placeholders=["YOURDOMAIN", "ORG_ID"],
        saml_defaults={
            "sp_entity_id": "https://YOURDOMAIN.vendor.test/ORG_ID",
            "acs_urls": ["https://YOURDOMAIN.vendor.test/acs/ORG_ID"],
        },
    )
    app = application_factory(connector=connector)

    page = admin_client.get(app_url("sso", app)).text
    assert 'name="placeholder_ORG_ID"' in page
    assert "SP Entity ID still contains YOURDOMAIN, ORG_ID." in page

    admin_client.post(app_url("sso", app), sso_post(app, domain="acme", placeholder_ORG_ID="o-42"))

    config = config_of(app)
    assert config.sp_entity_id == "https://acme.vendor.test/o-42"
    assert config.acs_urls.get().url == "https://acme.vendor.test/acs/o-42"
    assert config.placeholder_values["ORG_ID"] == "o-42"


@pytest.mark.django_db
def test_activation_is_refused_while_a_placeholder_remains_naming_the_field(admin_client, saml_app):
    response = admin_client.post(app_url("activate", saml_app), follow=True)

    saml_app.refresh_from_db()
    assert not saml_app.sso_active
    assert "SSO cannot be activated yet" in response.text
    assert "SP Entity ID still contains YOURDOMAIN." in response.text

    admin_client.post(app_url("sso", saml_app), sso_post(saml_app, domain="acme"))
    response = admin_client.post(app_url("activate", saml_app), follow=True)

    saml_app.refresh_from_db()
    assert saml_app.sso_active
    assert "SSO activated for GoToAssist." in response.text


@pytest.mark.django_db
def test_sha1_needs_the_explicit_legacy_choice_and_shows_a_warning(admin_client, ready_app):
    refused = admin_client.post(
        app_url("sso", ready_app), sso_post(ready_app, signature_algorithm="rsa-sha1")
    )
    assert refused.status_code == 200
    assert "Allow legacy SHA-1" in str(refused.context["form"].errors["legacy_sha1"])
    assert config_of(ready_app).signature_algorithm == "rsa-sha256"

    accepted = admin_client.post(
        app_url("sso", ready_app),
        sso_post(ready_app, signature_algorithm="rsa-sha1", legacy_sha1=True),
    )
    assert accepted.status_code == 302
    assert config_of(ready_app).signature_algorithm == "rsa-sha1"
    assert "Legacy signature algorithm." in admin_client.get(app_url("sso", ready_app)).text


@pytest.mark.django_db
@pytest.mark.parametrize("flag", ["encrypt_assertions", "require_signed_requests"])
def test_encryption_and_signed_requests_need_an_sp_certificate(admin_client, ready_app, flag):
    refused = admin_client.post(app_url("sso", ready_app), sso_post(ready_app, **{flag: True}))
    assert refused.status_code == 200
    assert "needs the SP certificate" in str(refused.context["form"].errors[flag])
    assert getattr(config_of(ready_app), flag) is False

    accepted = admin_client.post(
        app_url("sso", ready_app),
        sso_post(ready_app, sp_certificate=SP_KEYS.certificate_pem, **{flag: True}),
    )
    assert accepted.status_code == 302
    assert getattr(config_of(ready_app), flag) is True


@pytest.mark.django_db
def test_unreadable_sp_certificate_is_refused(admin_client, ready_app):
    response = admin_client.post(
        app_url("sso", ready_app), sso_post(ready_app, sp_certificate="-----BEGIN CERTIFICATE-----")
    )
    assert "not a readable PEM X.509" in str(response.context["form"].errors["sp_certificate"])


@pytest.mark.django_db
def test_something_must_be_signed(admin_client, ready_app):
    response = admin_client.post(
        app_url("sso", ready_app), sso_post(ready_app, sign_response=False, sign_assertion=False)
    )
    assert "never neither" in str(response.context["form"].errors["sign_assertion"])


@pytest.mark.django_db
def test_acs_urls_can_be_added_removed_and_one_marked_default(admin_client, ready_app):
    admin_client.post(
        app_url("sso", ready_app),
        sso_post(
            ready_app,
            acs=["https://acme.goto.com/saml/acs", "https://eu.acme.test/acs", "https://x.test/"],
            default=1,
            delete_acs=(2,),
        ),
    )

    rows = list(config_of(ready_app).acs_urls.order_by("pk").values_list("url", "is_default"))
    assert rows == [("https://acme.goto.com/saml/acs", False), ("https://eu.acme.test/acs", True)]


@pytest.mark.django_db
def test_acs_urls_must_be_web_addresses_and_unique(admin_client, ready_app):
    before = config_snapshot(ready_app)
    bad_scheme = admin_client.post(
        app_url("sso", ready_app), sso_post(ready_app, acs=["javascript:alert(1)"])
    )
    duplicate = admin_client.post(
        app_url("sso", ready_app), sso_post(ready_app, acs=["https://a.test/", "https://a.test/"])
    )
    assert bad_scheme.status_code == duplicate.status_code == 200
    assert "https://" in str(bad_scheme.context["acs_formset"].errors)
    assert "only once" in str(duplicate.context["acs_formset"].non_form_errors())
    assert config_snapshot(ready_app) == before


@pytest.mark.django_db
def test_attributes_table_maps_names_to_user_fields_or_constants(admin_client, ready_app):
    admin_client.post(
        app_url("sso", ready_app),
        sso_post(
            ready_app,
            attributes=[
                ("email", "email", ""),
                ("department", "department", "ignored"),
                ("tier", "constant", "gold"),
                ("", "email", ""),
            ],
        ),
    )

    rows = list(config_of(ready_app).attributes.values_list("name", "source", "value"))
    assert rows == [
        ("email", "email", ""),
        ("department", "department", ""),
        ("tier", "constant", "gold"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("attributes", "error"),
    [
        ([("tier", "constant", "")], "Enter the constant value"),
        ([("email", "email", ""), ("email", "username", "")], "must be unique"),
    ],
)
def test_bad_attribute_rows_are_refused(admin_client, ready_app, attributes, error):
    before = config_snapshot(ready_app)
    response = admin_client.post(
        app_url("sso", ready_app), sso_post(ready_app, attributes=attributes)
    )
    formset = response.context["attribute_formset"]
    assert error in str(formset.errors) + str(formset.non_form_errors())
    assert config_snapshot(ready_app) == before


@pytest.mark.django_db
def test_group_attribute_needs_a_name(admin_client, ready_app):
    response = admin_client.post(
        app_url("sso", ready_app),
        sso_post(ready_app, include_group_attribute=True, group_attribute_name=""),
    )
    assert "group_attribute_name" in response.context["form"].errors

    admin_client.post(
        app_url("sso", ready_app),
        sso_post(ready_app, include_group_attribute=True, group_attribute_name="groups"),
    )
    config = config_of(ready_app)
    assert (config.include_group_attribute, config.group_attribute_name) == (True, "groups")


# --- Import SP metadata ----------------------------------------------------------------


@pytest.mark.django_db
def test_pasted_sp_metadata_fills_the_sp_settings(admin_client, saml_app):
    xml = sp_metadata_xml(
        acs=("https://sp.acme.test/acs/1", "https://sp.acme.test/acs/2"),
        certificate=SP_KEYS,
        authn_requests_signed=True,
    )

    response = admin_client.post(app_url("import_metadata", saml_app), {"xml": xml}, follow=True)

    assert "SP metadata imported" in response.text
    config = config_of(saml_app)
    assert config.sp_entity_id == "https://sp.acme.test/saml/metadata"
    assert list(config.acs_urls.order_by("-is_default", "pk").values_list("url", "is_default")) == [
        ("https://sp.acme.test/acs/1", True),
        ("https://sp.acme.test/acs/2", False),
    ]
    assert (config.sp_logout_url, config.sp_logout_binding) == (
        "https://sp.acme.test/saml/slo",
        "redirect",
    )
    assert keys.certificate_body(config.sp_certificate) == keys.certificate_body(
        SP_KEYS.certificate_pem
    )
    assert config.nameid_format == "persistent"
    assert config.require_signed_requests is True


@pytest.mark.django_db
def test_uploaded_sp_metadata_file_is_imported(admin_client, saml_app):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "sp.xml",
        sp_metadata_xml(entity_id="urn:acme:sp", slo=None).encode(),
        content_type="text/xml",
    )
    admin_client.post(app_url("import_metadata", saml_app), {"xml_file": upload})

    assert config_of(saml_app).sp_entity_id == "urn:acme:sp"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        ("<md:EntityDescriptor", "not usable XML"),
        ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "not usable XML"),
        ("<html><body>Not metadata</body></html>", "not a SAML EntityDescriptor"),
        (sp_metadata_xml(acs=()), "no AssertionConsumerService"),
        ("", "Paste the SP metadata XML or choose a file"),
    ],
    ids=["truncated", "entities", "html", "no-acs", "empty"],
)
def test_bad_sp_metadata_shows_an_error_and_saves_nothing(admin_client, saml_app, xml, reason):
    before = config_snapshot(saml_app)

    response = admin_client.post(app_url("import_metadata", saml_app), {"xml": xml})

    assert response.status_code == 200
    assert reason in response.text
    assert response.context["open_import"] is True
    assert config_snapshot(saml_app) == before
    assert not AuditEvent.objects.filter(action="application.sso_update").exists()


@pytest.mark.django_db
def test_sp_metadata_slo_binding_is_imported(admin_client, saml_app):
    xml = sp_metadata_xml(
        slo=("https://sp.acme.test/slo-post", HTTP_REDIRECT.replace("Redirect", "POST"))
    )
    admin_client.post(app_url("import_metadata", saml_app), {"xml": xml})
    config = config_of(saml_app)
    assert (config.sp_logout_url, config.sp_logout_binding) == (
        "https://sp.acme.test/slo-post",
        "post",
    )


@pytest.mark.django_db
def test_bookmark_apps_have_no_sso_tab(admin_client, connector_factory, application_factory):
    bookmark = application_factory(connector=connector_factory(bookmark=True))
    assert admin_client.get(app_url("sso", bookmark)).status_code == 404
    page = admin_client.get(app_url("change", bookmark)).text
    assert app_url("sso", bookmark) not in page
