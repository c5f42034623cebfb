"""Fixtures for the Admin Portal screens of SSO applications."""

import functools
import itertools

import pytest

from sso_apps.saml import keys


@functools.cache
def _key_pool(key_size: int) -> tuple[keys.KeyPair, ...]:
    return tuple(
        keys.generate_key_pair(common_name=f"Tessera IdP test {index}", key_size=key_size)
        for index in range(3)
    )


@pytest.fixture(autouse=True)
def _reused_key_pairs(monkeypatch):
    """Hand out real key pairs from a small pool instead of generating RSA keys per app.

    Consecutive generations still differ, so a regeneration always changes the key.
    """
    counter = itertools.count()

    def generate(*, common_name, key_size=2048, valid_days=1826):
        pool = _key_pool(key_size)
        return pool[next(counter) % len(pool)]

    monkeypatch.setattr("sso_apps.services.key_pairs.generate_key_pair", generate)


@pytest.fixture
def saml_app(application_factory):
    """A GoToAssist-like SAML app whose values still hold YOURDOMAIN."""
    return application_factory(display_label="GoToAssist")


@pytest.fixture
def ready_app(application_factory):
    """A complete SAML app that an admin has switched off, ready to be activated again."""
    from sso_apps.models import AuditEvent, Notification
    from sso_apps.services.applications import application_sso_deactivate
    from sso_apps.services.saml_configs import SamlConfigInput, saml_config_update

    application = application_factory(display_label="Ready App")
    saml_config_update(application=application, changes=SamlConfigInput(domain="acme"))
    application_sso_deactivate(application=application)
    # Start the tests from a clean trail: they count what activation itself records.
    AuditEvent.objects.filter(
        action__in=["application.activate", "application.deactivate"]
    ).delete()
    Notification.objects.all().delete()
    application.refresh_from_db()
    return application
