"""A connector's null saml values mean "Tessera's default", never a None copied onto the model."""

import pytest

from sso_apps.catalog.vocabulary import SAML_KEYS
from sso_apps.models import SamlConfig
from sso_apps.services.applications import application_create


@pytest.mark.django_db
def test_every_null_saml_value_becomes_the_model_default(connector_factory):
    connector = connector_factory(
        type="custom_saml", saml_defaults=dict.fromkeys(SAML_KEYS), placeholders=[]
    )

    config = application_create(connector=connector, display_label="Custom").saml

    for name in ("sign_response", "sign_assertion", "sp_logout_binding", "nameid_format"):
        assert getattr(config, name) == SamlConfig._meta.get_field(name).get_default(), name
    assert (config.sp_entity_id, config.sp_login_url, config.sp_logout_url) == ("", "", "")
    assert config.sign_response is True and config.sign_assertion is True


@pytest.mark.django_db
def test_an_explicit_false_signing_choice_is_kept(connector_factory):
    connector = connector_factory(
        saml_defaults={"sign_response": False, "sign_assertion": True, "acs_urls": []},
        placeholders=[],
    )

    config = application_create(connector=connector, display_label="Assertion only").saml

    assert (config.sign_response, config.sign_assertion) == (False, True)
