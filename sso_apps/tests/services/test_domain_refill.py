"""The Domain works more than once: each templated value is re-filled from its template."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from sso_apps.models import SamlConfig
from sso_apps.services.saml_configs import AcsUrlInput, SamlConfigInput, saml_config_update
from sso_apps.tests.admin.conftest import _key_pool
from sso_apps.tests.admin.helpers import app_url, sso_post

TEMPLATES = {
    "sp_entity_id": "https://YOURDOMAIN.goto.com/saml",
    "sp_login_url": "https://YOURDOMAIN.goto.com/login",
    "acs_urls": ["https://YOURDOMAIN.goto.com/saml/acs"],
    "attributes": {"plan": "YOURDOMAIN-enterprise"},
}


@pytest.fixture(autouse=True)
def _reused_key_pairs(monkeypatch):
    monkeypatch.setattr(
        "sso_apps.services.key_pairs.generate_key_pair", lambda **kwargs: _key_pool(2048)[0]
    )


def _config(application) -> SamlConfig:
    return SamlConfig.objects.get(application=application)


def _values(application) -> tuple:
    config = _config(application)
    return (
        config.sp_entity_id,
        config.sp_login_url,
        list(config.acs_urls.values_list("url", flat=True)),
        config.attributes.get(name="plan").value,
    )


@pytest.mark.django_db
def test_creation_keeps_the_connectors_templated_values(application_factory):
    application = application_factory(display_label="GoToAssist")

    assert _config(application).value_templates == TEMPLATES


@pytest.mark.django_db
def test_a_second_domain_refills_every_value_still_following_its_template(application_factory):
    application = application_factory(display_label="GoToAssist")
    saml_config_update(application=application, changes=SamlConfigInput(domain="acme"))

    saml_config_update(application=application, changes=SamlConfigInput(domain="globex"))

    assert _values(application) == (
        "https://globex.goto.com/saml",
        "https://globex.goto.com/login",
        ["https://globex.goto.com/saml/acs"],
        "globex-enterprise",
    )
    saml_config_update(application=application, changes=SamlConfigInput(domain="initech.eu"))
    assert _values(application)[0] == "https://initech.eu.goto.com/saml"


@pytest.mark.django_db
def test_values_edited_by_hand_keep_the_admins_value_when_the_domain_changes(
    application_factory,
):
    application = application_factory(display_label="GoToAssist")
    saml_config_update(application=application, changes=SamlConfigInput(domain="acme"))
    saml_config_update(
        application=application,
        changes=SamlConfigInput(sp_entity_id="https://sso.acme.example/saml"),
        acs_urls=[
            AcsUrlInput("https://acme.goto.com/saml/acs", is_default=True),
            AcsUrlInput("https://acme.goto.com/custom/acs"),
        ],
    )

    saml_config_update(application=application, changes=SamlConfigInput(domain="globex"))

    sp_entity_id, sp_login_url, acs_urls, plan = _values(application)
    assert sp_entity_id == "https://sso.acme.example/saml"
    assert sp_login_url == "https://globex.goto.com/login"
    assert sorted(acs_urls) == [
        "https://acme.goto.com/custom/acs",
        "https://globex.goto.com/saml/acs",
    ]
    assert plan == "globex-enterprise"


@pytest.mark.django_db
def test_clearing_the_domain_keeps_the_values_it_filled(application_factory):
    application = application_factory(display_label="GoToAssist")
    saml_config_update(application=application, changes=SamlConfigInput(domain="acme"))

    saml_config_update(application=application, changes=SamlConfigInput(domain=""))

    assert _values(application)[0] == "https://acme.goto.com/saml"
    saml_config_update(application=application, changes=SamlConfigInput(domain="globex"))
    assert _values(application)[0] == "https://globex.goto.com/saml"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "domain",
    [
        "evil.com/acs?x=",
        "acme@evil.com",
        "acme:8443",
        "acme corp",
        "https://acme",
        "acme\nx",
        "-acme",
        "acme..x",
        "a" * 64,
        "<script>",
    ],
)
def test_the_service_refuses_a_domain_that_is_not_a_hostname_fragment(application_factory, domain):
    application = application_factory(display_label="GoToAssist")
    before = _values(application)

    with pytest.raises(ValidationError) as refused:
        saml_config_update(application=application, changes=SamlConfigInput(domain=domain))

    assert "domain" in refused.value.message_dict
    assert _values(application) == before
    assert _config(application).domain == ""


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["o 42", "o/42", "o?x", "o#x", "o@x", "o'x"])
def test_the_service_refuses_a_placeholder_value_with_url_syntax(application_factory, value):
    application = application_factory(display_label="GoToAssist")

    with pytest.raises(ValidationError) as refused:
        saml_config_update(application=application, placeholder_values={"ORG_ID": value})

    assert "placeholder_ORG_ID" in refused.value.message_dict


@pytest.mark.django_db
def test_the_sso_tab_refills_on_a_second_domain(admin_client, application_factory):
    application = application_factory(display_label="GoToAssist")
    admin_client.post(app_url("sso", application), sso_post(application, domain="acme"))

    response = admin_client.post(
        app_url("sso", application), sso_post(application, domain="globex")
    )

    assert response.status_code == 302
    assert _values(application)[0] == "https://globex.goto.com/saml"
    page = admin_client.get(app_url("sso", application)).text
    assert "Filled from the Domain" in page


@pytest.mark.django_db
def test_the_migration_backfills_templates_from_the_connector(application_factory):
    application = application_factory(display_label="GoToAssist")
    SamlConfig.objects.filter(pk=application.pk).update(value_templates={})
    migration = importlib.import_module("sso_apps.migrations.0015_saml_value_templates")

    migration.templates_backfill(apps, None)

    assert _config(application).value_templates == TEMPLATES
