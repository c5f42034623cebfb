"""The SSO tab's saved state, read afresh whatever the caller holds in memory."""

import pytest

from sso_apps.models import IdpKeyPair
from sso_apps.selectors.sso_tab import sso_tab_context
from sso_apps.services.saml_configs import SamlConfigInput, saml_config_update


@pytest.mark.django_db
def test_context_of_an_incomplete_app_names_what_is_missing(application_factory):
    application = application_factory(display_label="GoToAssist")

    context = sso_tab_context(application_id=application.pk)

    assert not context["sso_active"]
    assert context["placeholders_remaining"]["SP Entity ID"] == ["YOURDOMAIN"]
    assert "SP Entity ID still contains YOURDOMAIN." in context["activation_problems"]
    assert context["active_key_pair"].status == IdpKeyPair.Status.ACTIVE
    assert [key for key, _label, _value in context["idp_values"]] == [
        "idp-sso-url",
        "idp-entity-id",
        "idp-slo-url",
        "idp-metadata-url",
    ]
    assert context["idp_values"][0][2] == application.idp_sso_url


@pytest.mark.django_db
def test_context_of_an_active_app_lists_no_problems(application_factory):
    application = application_factory(display_label="GoToAssist")
    saml_config_update(application=application, changes=SamlConfigInput(domain="acme"))

    context = sso_tab_context(application_id=application.pk)

    assert context["sso_active"]
    assert context["placeholders_remaining"] == {}
    assert context["activation_problems"] == []
    assert not context["sha1_in_use"]


@pytest.mark.django_db
def test_context_describes_the_saved_config_not_the_callers_edits(application_factory):
    application = application_factory(display_label="GoToAssist")
    application.saml.sp_entity_id = "https://rejected.example/sp"
    application.saml.allow_http_sp_urls = True

    context = sso_tab_context(application_id=application.pk)

    assert context["config"].sp_entity_id == "https://YOURDOMAIN.goto.com/saml"
    assert not context["http_sp_urls_allowed"]


@pytest.mark.django_db
def test_context_warns_while_sha1_signed_requests_are_accepted(application_factory):
    application = application_factory(display_label="GoToAssist")
    saml_config_update(application=application, changes=SamlConfigInput(domain="acme"))
    assert not sso_tab_context(application_id=application.pk)["sha1_requests_accepted"]

    saml_config_update(application=application, changes=SamlConfigInput(accept_sha1_requests=True))

    assert sso_tab_context(application_id=application.pk)["sha1_requests_accepted"]
