"""Hole 5: an app without an ACS URL cannot be active, and its endpoints answer 409."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from sso_apps.models import AcsUrl, Application, AuditEvent
from sso_apps.services import applications as app_services
from sso_apps.services import saml_configs
from sso_apps.services.saml_configs import AcsUrlInput
from sso_apps.tests.admin.helpers import app_url, sso_post
from sso_apps.tests.idp.minimal_requests import authn_request_path
from sso_apps.tests.idp.sp_harness import SP_ACS_URL

NO_ACS = "At least one ACS URL is needed."


def is_active(application) -> bool:
    return Application.objects.get(pk=application.pk).sso_active


@pytest.mark.django_db
def test_saving_without_any_acs_url_switches_sso_off_and_says_why(saml_app):
    saml_configs.saml_config_update(application=saml_app, acs_urls=[])

    assert not is_active(saml_app)
    event = AuditEvent.objects.filter(action="application.deactivate").latest("pk")
    assert NO_ACS in event.reason
    with pytest.raises(ValidationError, match=NO_ACS):
        app_services.application_sso_activate(application=saml_app)
    assert not is_active(saml_app)


@pytest.mark.django_db
def test_adding_an_acs_url_back_reactivates_an_app_nobody_switched_off(saml_app):
    saml_configs.saml_config_update(application=saml_app, acs_urls=[])
    saml_configs.saml_config_update(application=saml_app, acs_urls=[AcsUrlInput(SP_ACS_URL)])
    assert is_active(saml_app)


@pytest.mark.django_db
def test_sso_tab_with_every_acs_row_blank_switches_sso_off_with_the_reason(admin_client, saml_app):
    response = admin_client.post(
        app_url("sso", saml_app), sso_post(saml_app, acs=["", ""]), follow=True
    )

    assert response.status_code == 200
    assert not is_active(saml_app)
    assert not AcsUrl.objects.filter(config_id=saml_app.pk).exists()
    assert f"SSO was switched off: {NO_ACS}" in response.text
    assert "Before SSO can be activated:" in response.text
    activate = admin_client.post(app_url("activate", saml_app), follow=True)
    assert NO_ACS in activate.text
    assert not is_active(saml_app)


@pytest.fixture
def active_without_acs(saml_app):
    """An active app whose ACS URLs were deleted straight in the database."""
    AcsUrl.objects.filter(config_id=saml_app.pk).delete()
    saml_app.bump_config_version()
    assert is_active(saml_app)
    return saml_app


def assert_conflict(response, application):
    assert response.status_code == 409, response.status_code
    assert "no ACS URL" in response.text
    assert "SAMLResponse" not in response.text
    assert AuditEvent.objects.filter(
        outcome="failure", application=application, reason__contains="no ACS URL"
    ).exists()


@pytest.mark.django_db
def test_authn_request_to_an_active_app_without_acs_url_answers_409(client, active_without_acs):
    client.force_login(User.objects.get(email="ada@example.com"))
    response = client.get(authn_request_path(active_without_acs))
    if response.status_code == 302:  # the check may also come after sign-in
        response = client.get(response["Location"])
    assert_conflict(response, active_without_acs)


@pytest.mark.django_db
def test_idp_initiated_post_to_an_active_app_without_acs_url_answers_409(
    client, active_without_acs
):
    client.force_login(User.objects.get(email="ada@example.com"))
    response = client.post(reverse("saml:init", args=[active_without_acs.idp_suffix]))
    assert_conflict(response, active_without_acs)
