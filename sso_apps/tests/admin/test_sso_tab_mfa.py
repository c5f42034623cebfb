"""The SSO tab's "Require MFA for this application" and MFA class: shown, saved, audited."""

import pytest

from sso_apps.models import AuditEvent, SamlConfig
from sso_apps.tests.admin.helpers import app_url, sso_post


def config_of(application) -> SamlConfig:
    return SamlConfig.objects.get(pk=application.pk)


@pytest.mark.django_db
def test_the_sso_tab_offers_the_mfa_setting_and_both_classes(admin_client, ready_app):
    page = admin_client.get(app_url("sso", ready_app)).text

    assert "Require MFA for this application" in page
    assert page.count('name="mfa_required"') == 1
    assert '<option value="refeds-mfa" selected>' in page
    assert '<option value="mobile-two-factor">MobileTwoFactorContract</option>' in page


@pytest.mark.django_db
def test_requiring_mfa_saves_it_and_the_trail_names_who_and_what(admin_client, ready_app):
    AuditEvent.objects.filter(action="application.sso_update").delete()

    response = admin_client.post(
        app_url("sso", ready_app),
        sso_post(ready_app, mfa_required="on", mfa_context="mobile-two-factor"),
    )

    assert response.status_code == 302
    config = config_of(ready_app)
    assert config.mfa_required is True and config.mfa_context == "mobile-two-factor"
    event = AuditEvent.objects.get(action="application.sso_update", application=ready_app)
    assert event.details == {"mfa_required": True, "mfa_context": "mobile-two-factor"}
    assert event.actor_email

    # Unticking is a change the trail names too.
    data = sso_post(ready_app)
    data.pop("mfa_required")
    admin_client.post(app_url("sso", ready_app), data)
    assert config_of(ready_app).mfa_required is False
    last = AuditEvent.objects.filter(action="application.sso_update").order_by("-pk").first()
    assert last.details == {"mfa_required": False}


@pytest.mark.django_db
@pytest.mark.parametrize("forged", ["sms", "", "https://refeds.org/profile/mfa"])
def test_a_forged_mfa_class_is_a_form_error_not_a_save(admin_client, ready_app, forged):
    response = admin_client.post(app_url("sso", ready_app), sso_post(ready_app, mfa_context=forged))

    assert response.status_code == 200
    assert "mfa_context" in response.context["form"].errors
    assert config_of(ready_app).mfa_context == "refeds-mfa"
