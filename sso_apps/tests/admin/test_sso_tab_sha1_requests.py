"""The SSO tab's own switch for accepting SHA-1 signed requests, apart from outgoing SHA-1."""

import pytest

from sso_apps.models import AuditEvent, SamlConfig
from sso_apps.tests.admin.helpers import app_url, sso_post

LABEL = "Accept SHA-1 signed requests (legacy, insecure)"


def config_of(application) -> SamlConfig:
    return SamlConfig.objects.get(pk=application.pk)


@pytest.mark.django_db
def test_the_sso_tab_shows_the_sha1_requests_switch_off_by_default(admin_client, ready_app):
    page = admin_client.get(app_url("sso", ready_app)).text

    assert LABEL in page
    assert 'name="accept_sha1_requests"' in page
    assert config_of(ready_app).accept_sha1_requests is False


@pytest.mark.django_db
def test_ticking_the_switch_saves_it_and_is_audited(admin_client, ready_app):
    AuditEvent.objects.filter(action="application.sso_update").delete()

    response = admin_client.post(
        app_url("sso", ready_app), sso_post(ready_app, accept_sha1_requests=True)
    )

    assert response.status_code == 302
    assert config_of(ready_app).accept_sha1_requests is True
    # Outgoing signatures are untouched by the incoming switch.
    assert config_of(ready_app).signature_algorithm == "rsa-sha256"
    assert AuditEvent.objects.filter(
        action="application.sso_update", application=ready_app
    ).exists()
    page = admin_client.get(app_url("sso", ready_app)).content.decode()
    assert "SHA-1 signed requests accepted." in page


@pytest.mark.django_db
def test_signing_with_sha1_does_not_imply_accepting_sha1_requests(admin_client, ready_app):
    response = admin_client.post(
        app_url("sso", ready_app),
        sso_post(ready_app, signature_algorithm="rsa-sha1", legacy_sha1=True),
    )

    assert response.status_code == 302
    config = config_of(ready_app)
    assert (config.signature_algorithm, config.accept_sha1_requests) == ("rsa-sha1", False)
