"""saml_config_update: typed input, rows replaced, placeholders and version handled once."""

import dataclasses
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from sso_apps.forms.saml import SamlConfigForm, acs_url_formset
from sso_apps.models import AuditEvent, SamlConfig
from sso_apps.selectors import placeholders
from sso_apps.services.applications import application_sso_deactivate
from sso_apps.services.saml_configs import AcsUrlInput, SamlConfigInput, saml_config_update
from sso_apps.tests.admin.conftest import _key_pool
from sso_apps.tests.admin.helpers import app_url, sso_post

ACS = "https://acme.goto.com/saml/acs"


@pytest.fixture(autouse=True)
def _reused_key_pairs(monkeypatch):
    monkeypatch.setattr(
        "sso_apps.services.key_pairs.generate_key_pair", lambda **kwargs: _key_pool(2048)[0]
    )


def _version(application) -> int:
    application.refresh_from_db(fields=["config_version"])
    return application.config_version


def _acs_rows(application) -> list[tuple[str, bool]]:
    config = SamlConfig.objects.get(application=application)
    return list(config.acs_urls.order_by("pk").values_list("url", "is_default"))


@pytest.mark.django_db
def test_saml_config_input_has_exactly_the_fields_of_the_sso_tab_form():
    names = {field.name for field in dataclasses.fields(SamlConfigInput)}
    assert names == set(SamlConfigForm.Meta.fields)


@pytest.mark.django_db
def test_fields_left_unset_keep_their_saved_values(application_factory):
    application = application_factory(display_label="GoToAssist")
    before = SamlConfig.objects.get(application=application)

    saml_config_update(application=application, changes=SamlConfigInput(sp_login_url=""))

    after = SamlConfig.objects.get(application=application)
    assert after.sp_login_url == ""
    assert (after.sp_entity_id, after.nameid_format, after.sign_response) == (
        before.sp_entity_id,
        before.nameid_format,
        before.sign_response,
    )


@pytest.mark.django_db
def test_an_unknown_setting_is_refused_before_anything_is_saved():
    with pytest.raises(TypeError):
        SamlConfigInput(service_provider=None, is_staff=True)


@pytest.mark.django_db
def test_save_that_changes_nothing_else_bumps_the_version_by_one(application_factory):
    application = application_factory(display_label="GoToAssist")
    version = _version(application)

    saml_config_update(application=application, changes=SamlConfigInput(default_relay_state="/x"))

    assert _version(application) == version + 1
    assert not application.sso_active


@pytest.mark.django_db
def test_save_that_switches_sso_on_bumps_the_version_by_one(application_factory):
    application = application_factory(display_label="GoToAssist")
    version = _version(application)

    saml_config_update(application=application, changes=SamlConfigInput(domain="acme"))

    application.refresh_from_db()
    assert application.sso_active
    assert application.config_version == version + 1
    assert AuditEvent.objects.filter(action="application.activate").count() == 1


@pytest.mark.django_db
def test_save_that_switches_sso_off_bumps_the_version_by_one(application_factory):
    application = application_factory(display_label="GoToAssist")
    saml_config_update(application=application, changes=SamlConfigInput(domain="acme"))
    version = _version(application)

    saml_config_update(application=application, acs_urls=[])

    application.refresh_from_db()
    assert not application.sso_active
    assert application.config_version == version + 1
    assert AuditEvent.objects.filter(action="application.deactivate").count() == 1


@pytest.mark.django_db
def test_save_of_an_app_an_admin_switched_off_keeps_it_off(application_factory):
    application = application_factory(display_label="GoToAssist")
    saml_config_update(application=application, changes=SamlConfigInput(domain="acme"))
    application_sso_deactivate(application=application)
    version = _version(application)

    saml = saml_config_update(application=application, changes=SamlConfigInput(domain="acme"))

    application.refresh_from_db()
    assert not application.sso_active
    assert application.config_version == version + 1
    assert saml.activation_problems == []
    assert not saml.deactivated


@pytest.mark.django_db
def test_one_save_looks_the_remaining_placeholders_up_once(application_factory):
    application = application_factory(display_label="GoToAssist")
    saml_config_update(application=application, changes=SamlConfigInput(domain="acme"))
    spy = mock.Mock(wraps=placeholders.placeholders_remaining)

    with (
        mock.patch("sso_apps.services.saml_configs.placeholders_remaining", spy),
        mock.patch("sso_apps.selectors.activation.placeholders_remaining", spy),
    ):
        saved = saml_config_update(
            application=application,
            changes=SamlConfigInput(domain=""),
            acs_urls=[AcsUrlInput("https://YOURDOMAIN.goto.com/acs")],
        )

    assert spy.call_count == 1
    assert saved.deactivated
    assert saved.placeholders_remaining == {"ACS URL": ["YOURDOMAIN"]}
    assert "ACS URL still contains YOURDOMAIN." in saved.activation_problems


@pytest.mark.django_db
def test_sso_tab_post_looks_the_remaining_placeholders_up_once(admin_client, application_factory):
    application = application_factory(display_label="GoToAssist")
    saml_config_update(application=application, changes=SamlConfigInput(domain="acme"))
    spy = mock.Mock(wraps=placeholders.placeholders_remaining)
    data = sso_post(application, acs=["https://YOURDOMAIN.goto.com/acs"], domain="")

    with (
        mock.patch("sso_apps.services.saml_configs.placeholders_remaining", spy),
        mock.patch("sso_apps.selectors.activation.placeholders_remaining", spy),
        mock.patch("sso_apps.selectors.sso_tab.placeholders_remaining", spy),
    ):
        response = admin_client.post(app_url("sso", application), data)

    assert response.status_code == 302
    assert spy.call_count == 1
    application.refresh_from_db()
    assert not application.sso_active


@pytest.mark.django_db
def test_duplicate_acs_url_is_refused_with_the_forms_message(application_factory):
    application = application_factory(display_label="GoToAssist")
    saml_config_update(application=application, changes=SamlConfigInput(domain="acme"))
    before = _acs_rows(application)
    formset = acs_url_formset(editable=True)(
        {"acs-TOTAL_FORMS": 2, "acs-INITIAL_FORMS": 0, "acs-0-url": ACS, "acs-1-url": ACS},
        prefix="acs",
    )
    assert not formset.is_valid()

    with pytest.raises(ValidationError) as refused:
        saml_config_update(
            application=application, acs_urls=[AcsUrlInput(ACS, is_default=True), AcsUrlInput(ACS)]
        )

    assert refused.value.message_dict == {"acs_urls": formset.non_form_errors()}
    assert _acs_rows(application) == before


@pytest.mark.django_db
def test_acs_urls_equal_once_the_placeholder_is_filled_are_refused(application_factory):
    application = application_factory(display_label="GoToAssist")
    before = _acs_rows(application)

    with pytest.raises(ValidationError) as refused:
        saml_config_update(
            application=application,
            changes=SamlConfigInput(domain="acme"),
            acs_urls=[AcsUrlInput("https://YOURDOMAIN.goto.com/saml/acs"), AcsUrlInput(ACS)],
        )

    assert refused.value.message_dict == {"acs_urls": [f"Each ACS URL may appear only once: {ACS}"]}
    assert _acs_rows(application) == before
    assert SamlConfig.objects.get(application=application).domain == ""
