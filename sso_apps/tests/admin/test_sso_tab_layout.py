"""The redesigned SSO tab: error summary, groups, labelled rows and Domain notes."""

import pytest

from sso_apps.models import SamlConfig
from sso_apps.services.saml_configs import SamlConfigInput, saml_config_update
from sso_apps.tests.admin.helpers import app_url, sso_post


@pytest.mark.django_db
def test_failed_save_lists_every_error_with_a_link_to_its_field(admin_client, saml_app):
    data = sso_post(
        saml_app,
        domain="acme corp",
        acs=["javascript:alert(1)"],
        attributes=[("plan", "constant", "")],
    )

    response = admin_client.post(app_url("sso", saml_app), data)

    assert response.status_code == 200
    summary = response.context["error_summary"]
    targets = [target for target, _label, _message in summary]
    assert targets[0] == "id_domain"
    assert "id_acs-0-url" in targets
    assert "id_attr-0-value" in targets
    labels = [label for _target, label, _message in summary]
    assert "ACS URL row 1, ACS URL" in labels
    assert "Attribute row 1, Constant value" in labels
    page = response.text
    assert 'id="error-summary" role="alert" tabindex="-1"' in page
    assert 'href="#id_attr-0-value"' in page
    # The admin's values are on the page but not saved: leaving warns.
    assert "data-unsaved" in page


@pytest.mark.django_db
def test_an_error_in_signing_opens_that_folded_group(admin_client, saml_app):
    data = sso_post(saml_app, domain="acme")
    data.pop("sign_response", None)
    data.pop("sign_assertion", None)

    response = admin_client.post(app_url("sso", saml_app), data)

    assert response.context["signing_open"]
    assert '<details class="sso-group sso-group--folded" id="signing" open>' in response.text
    assert '<details class="sso-group sso-group--folded" id="signing">' in (
        admin_client.get(app_url("sso", saml_app)).text
    )


@pytest.mark.django_db
def test_every_formset_field_has_its_own_label(admin_client, saml_app):
    page = admin_client.get(app_url("sso", saml_app)).text

    for field_id in ("id_acs-0-url", "id_acs-0-index", "id_acs-0-default", "id_acs-0-DELETE"):
        assert f'<label for="{field_id}">' in page, field_id
    for name in ("name", "source", "value", "DELETE"):
        assert f'<label for="id_attr-0-{name}">' in page, name
    assert 'role="button"' not in page[page.index('<div id="content-main"') :]


@pytest.mark.django_db
def test_fields_the_domain_fills_say_so_and_hand_edits_are_marked(admin_client, saml_app):
    saml_config_update(application=saml_app, changes=SamlConfigInput(domain="acme"))
    saml_config_update(
        application=saml_app, changes=SamlConfigInput(sp_login_url="https://login.acme.example/")
    )

    page = admin_client.get(app_url("sso", saml_app)).text

    assert "Filled from the Domain: https://YOURDOMAIN.goto.com/saml" in page
    assert "Filled from the Domain: https://YOURDOMAIN.goto.com/saml/acs" in page
    assert "Filled from the Domain: YOURDOMAIN-enterprise" in page
    assert "Edited by hand, so a new Domain leaves it as it is" in page
    assert SamlConfig.objects.get(pk=saml_app.pk).sp_login_url == "https://login.acme.example/"
