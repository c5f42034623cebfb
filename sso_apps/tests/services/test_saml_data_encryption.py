"""The per-app data encryption: only the offered methods reach the database, changes are audited.

What an admin (or any caller of the service) sends is hostile: saml_config_update refuses an
unknown method before anything is saved, and the CheckConstraint refuses it even from a raw
UPDATE. (tests/idp/test_data_encryption_runtime.py checks the runtime uses the choice.)
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sso_apps.models import AuditEvent, SamlConfig
from sso_apps.services.saml_configs import SamlConfigInput, saml_config_update
from sso_apps.tests.admin.conftest import _key_pool


@pytest.fixture(autouse=True)
def _reused_key_pairs(monkeypatch):
    monkeypatch.setattr(
        "sso_apps.services.key_pairs.generate_key_pair", lambda **kwargs: _key_pool(2048)[0]
    )


def _saved(application) -> SamlConfig:
    return SamlConfig.objects.get(application=application)


@pytest.mark.django_db
def test_a_new_app_encrypts_with_aes_256_gcm(application_factory):
    assert _saved(application_factory()).data_encryption == "aes256-gcm"


@pytest.mark.django_db
def test_aes_256_cbc_is_saved_and_audited_with_the_new_value(application_factory):
    application = application_factory()
    AuditEvent.objects.all().delete()

    saml_config_update(
        application=application, changes=SamlConfigInput(data_encryption="aes256-cbc")
    )

    assert _saved(application).data_encryption == "aes256-cbc"
    event = AuditEvent.objects.get(action="application.sso_update", application=application)
    assert event.details == {"data_encryption": "aes256-cbc"}


@pytest.mark.django_db
def test_saving_other_settings_does_not_name_data_encryption_in_the_trail(application_factory):
    application = application_factory()
    AuditEvent.objects.all().delete()

    saml_config_update(application=application, changes=SamlConfigInput(domain="acme"))

    event = AuditEvent.objects.get(action="application.sso_update", application=application)
    assert not event.details


@pytest.mark.django_db
@pytest.mark.parametrize(
    "hostile",
    [
        "rsa-1_5",  # a key transport, and the padding-oracle one at that
        "tripledes-cbc",
        "aes128-gcm",
        "http://www.w3.org/2009/xmlenc11#aes256-gcm",  # the URI, not our short name
        "AES256-GCM",
        "aes256-gcm ",
        "aes256-gcm\x00",
        "",
        "a" * 500,
    ],
)
def test_an_unoffered_method_is_refused_and_nothing_is_saved(application_factory, hostile):
    application = application_factory()
    before = _saved(application)
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        saml_config_update(
            application=application,
            changes=SamlConfigInput(data_encryption=hostile, sp_login_url=""),
        )

    assert "data_encryption" in refused.value.message_dict
    after = _saved(application)
    assert (after.data_encryption, after.sp_login_url) == (
        before.data_encryption,
        before.sp_login_url,
    )
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_an_unoffered_method_even_from_a_raw_update(application_factory):
    application = application_factory()

    with (
        pytest.raises(IntegrityError, match="sso_apps_saml_data_encryption_known"),
        transaction.atomic(),
    ):
        SamlConfig.objects.filter(application=application).update(data_encryption="rsa-1_5")

    assert _saved(application).data_encryption == "aes256-gcm"
