"""The app's saved data encryption is what its IdP encrypts with, from the next request on."""

import pytest

from sso_apps.idp.runtime import runtimes
from sso_apps.saml.xmlsec_backend import PythonXmlsecBackend
from sso_apps.services.saml_configs import SamlConfigInput, saml_config_update


@pytest.mark.django_db
@pytest.mark.parametrize("data_encryption", ["aes256-gcm", "aes256-cbc"])
def test_the_runtime_hands_the_saved_choice_to_the_encryption_backend(
    saml_app_factory, data_encryption
):
    application = saml_app_factory(data_encryption=data_encryption)

    runtime = runtimes.get(application)

    assert runtime.settings.data_encryption == data_encryption
    assert isinstance(runtime.server.sec.crypto, PythonXmlsecBackend)
    assert runtime.server.sec.crypto.encryption == data_encryption


@pytest.mark.django_db
def test_a_changed_choice_is_used_from_the_next_request_on(saml_app_factory):
    application = saml_app_factory()
    assert runtimes.get(application).server.sec.crypto.encryption == "aes256-gcm"

    saml_config_update(
        application=application, changes=SamlConfigInput(data_encryption="aes256-cbc")
    )
    application.refresh_from_db()

    assert runtimes.get(application).server.sec.crypto.encryption == "aes256-cbc"
