import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sso_apps.forms.metadata import SpMetadataImportForm
from sso_apps.forms.saml import (
    AttributeForm,
    SamlConfigForm,
    acs_url_formset,
    attribute_formset,
)
from sso_apps.tests.admin.helpers import sp_metadata_xml


def config_data(config, **overrides):
    data = {
        "domain": "",
        "idp_entity_id": config.idp_entity_id,
        "sp_entity_id": config.sp_entity_id,
        "sp_logout_binding": "post",
        "nameid_format": "emailAddress",
        "nameid_source": "email",
        "signature_algorithm": "rsa-sha256",
        "data_encryption": "aes256-gcm",
        "mfa_context": "refeds-mfa",
        "sign_response": "on",
        "sign_assertion": "on",
        "group_attribute_name": "memberOf",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def config(application_factory):
    return application_factory().saml


@pytest.mark.django_db
def test_extra_placeholders_become_fields_but_yourdomain_is_the_domain(config):
    form = SamlConfigForm(instance=config, placeholders=["YOURDOMAIN", "ORG_ID", "REGION"])
    assert form.placeholder_names == ["ORG_ID", "REGION"]
    assert "placeholder_YOURDOMAIN" not in form.fields


@pytest.mark.django_db
def test_placeholder_values_are_passed_on(config):
    form = SamlConfigForm(
        config_data(config, placeholder_ORG_ID=" o-1 "), instance=config, placeholders=["ORG_ID"]
    )
    assert form.is_valid(), form.errors
    assert form.placeholder_values == {"ORG_ID": "o-1"}


@pytest.mark.django_db
def test_placeholder_values_cannot_smuggle_url_parts(config):
    form = SamlConfigForm(
        config_data(config, placeholder_ORG_ID="evil.test/x"),
        instance=config,
        placeholders=["ORG_ID"],
    )
    assert "placeholder_ORG_ID" in form.errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("sp_login_url", "javascript:alert(1)"), ("sp_logout_url", "ftp://x.test/")],
)
def test_sp_urls_must_be_web_addresses(config, field, value):
    form = SamlConfigForm(config_data(config, **{field: value}), instance=config)
    assert field in form.errors


@pytest.mark.django_db
def test_read_only_form_disables_every_field(config):
    form = SamlConfigForm(instance=config, placeholders=["ORG_ID"], read_only=True)
    assert all(field.disabled for field in form.fields.values())


@pytest.mark.django_db
def test_legacy_box_starts_ticked_when_sha1_is_already_used(config):
    config.signature_algorithm = "rsa-sha1"
    assert SamlConfigForm(instance=config)["legacy_sha1"].value() is True


def test_acs_formset_marks_the_chosen_row_default_and_skips_blank_and_deleted_rows():
    formset = acs_url_formset(editable=True)(
        {
            "acs-TOTAL_FORMS": "4",
            "acs-INITIAL_FORMS": "2",
            "acs-default": "2",
            "acs-0-url": "https://a.test/acs",
            "acs-1-url": "https://b.test/acs",
            "acs-1-DELETE": "on",
            "acs-2-url": "https://c.test/acs",
            "acs-3-url": "",
        },
        prefix="acs",
    )
    assert formset.is_valid(), formset.errors
    assert [(row.url, row.is_default) for row in formset.inputs()] == [
        ("https://a.test/acs", False),
        ("https://c.test/acs", True),
    ]


def test_acs_formset_survives_a_tampered_default():
    formset = acs_url_formset(editable=True)(
        {
            "acs-TOTAL_FORMS": "1",
            "acs-INITIAL_FORMS": "0",
            "acs-default": "x",
            "acs-0-url": "https://a.test/",
        },
        prefix="acs",
    )
    assert formset.is_valid()
    assert formset.default_index == 0


def test_attribute_value_is_kept_only_for_constants():
    formset = attribute_formset(editable=True)(
        {
            "attr-TOTAL_FORMS": "2",
            "attr-INITIAL_FORMS": "0",
            "attr-0-name": "mail",
            "attr-0-source": "email",
            "attr-0-value": "stale",
            "attr-1-name": "tier",
            "attr-1-source": "constant",
            "attr-1-value": "gold",
        },
        prefix="attr",
    )
    assert formset.is_valid(), formset.errors
    assert [(row.name, row.source, row.value) for row in formset.inputs()] == [
        ("mail", "email", ""),
        ("tier", "constant", "gold"),
    ]


def test_attribute_source_must_be_a_user_field_or_constant():
    form = AttributeForm({"name": "x", "source": "password"})
    assert "source" in form.errors


@pytest.mark.django_db
def test_metadata_form_parses_pasted_or_uploaded_xml():
    pasted = SpMetadataImportForm({"xml": sp_metadata_xml(entity_id="urn:pasted")})
    assert pasted.is_valid(), pasted.errors
    assert pasted.metadata.entity_id == "urn:pasted"

    upload = SimpleUploadedFile("sp.xml", sp_metadata_xml(entity_id="urn:file").encode())
    uploaded = SpMetadataImportForm({}, {"xml_file": upload})
    assert uploaded.is_valid(), uploaded.errors
    assert uploaded.metadata.entity_id == "urn:file"


def test_metadata_form_refuses_an_oversized_file():
    upload = SimpleUploadedFile("sp.xml", b"<x>" + b" " * (1024 * 1024) + b"</x>")
    form = SpMetadataImportForm({}, {"xml_file": upload})
    assert not form.is_valid()
    assert "larger than 1 MB" in str(form.errors)


def test_metadata_form_explains_bad_xml():
    form = SpMetadataImportForm({"xml": "<not-closed"})
    assert not form.is_valid()
    assert "could not be imported" in str(form.non_field_errors())
