"""The SSO tab's data encryption choice: shown, saved and audited, refused when forged."""

import pytest

from sso_apps.models import AuditEvent, SamlConfig
from sso_apps.tests.admin.helpers import app_url, sp_metadata_xml, sso_post


def config_of(application) -> SamlConfig:
    return SamlConfig.objects.get(pk=application.pk)


@pytest.mark.django_db
def test_the_sso_tab_offers_exactly_gcm_and_cbc_with_gcm_selected(admin_client, ready_app):
    page = admin_client.get(app_url("sso", ready_app)).text

    assert "Data encryption" in page
    assert '<option value="aes256-gcm" selected>AES-256-GCM</option>' in page
    assert '<option value="aes256-cbc">AES-256-CBC (for older SPs)</option>' in page
    assert page.count('name="data_encryption"') == 1
    # RSA 1.5 key transport is never on offer, under any name.
    assert "rsa-1_5" not in page and "RSA 1.5" not in page


@pytest.mark.django_db
def test_choosing_cbc_saves_it_and_the_trail_names_it(admin_client, ready_app):
    AuditEvent.objects.filter(action="application.sso_update").delete()

    response = admin_client.post(
        app_url("sso", ready_app), sso_post(ready_app, data_encryption="aes256-cbc")
    )

    assert response.status_code == 302
    assert config_of(ready_app).data_encryption == "aes256-cbc"
    event = AuditEvent.objects.get(action="application.sso_update", application=ready_app)
    assert event.details == {"data_encryption": "aes256-cbc"}
    page = admin_client.get(app_url("sso", ready_app)).text
    assert '<option value="aes256-cbc" selected>' in page


@pytest.mark.django_db
@pytest.mark.parametrize("forged", ["rsa-1_5", "aes128-cbc", "", "<script>x</script>"])
def test_a_forged_value_is_a_form_error_not_a_save(admin_client, ready_app, forged):
    response = admin_client.post(
        app_url("sso", ready_app), sso_post(ready_app, data_encryption=forged)
    )

    assert response.status_code == 200
    assert "data_encryption" in response.context["form"].errors
    assert config_of(ready_app).data_encryption == "aes256-gcm"
    assert "<script>x</script>" not in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("listed", "expected"),
    [
        ("http://www.w3.org/2001/04/xmlenc#aes256-cbc", "aes256-cbc"),
        # Nothing we offer listed: the app keeps its choice.
        ("http://www.w3.org/2001/04/xmlenc#tripledes-cbc", "aes256-gcm"),
    ],
)
def test_sp_metadata_import_preselects_what_the_sp_can_decrypt(
    admin_client, saml_app, listed, expected
):
    key_descriptor = (
        '<md:KeyDescriptor use="encryption">'
        f'<md:EncryptionMethod Algorithm="{listed}"/></md:KeyDescriptor>'
    )
    xml = sp_metadata_xml().replace('protocol">', f'protocol">{key_descriptor}', 1)
    assert key_descriptor in xml

    response = admin_client.post(app_url("import_metadata", saml_app), {"xml": xml}, follow=True)

    assert "SP metadata imported" in response.text
    assert config_of(saml_app).data_encryption == expected
