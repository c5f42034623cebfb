import pytest

from sso_apps.idp.runtime import applications, runtimes
from sso_apps.models import ConnectorTemplate
from sso_apps.services import applications as app_services
from sso_apps.services import saml_configs
from sso_apps.tests.idp.sp_harness import SP_ACS_URL, SP_ENTITY_ID, SP_SLO_URL


@pytest.fixture(autouse=True)
def _fresh_runtimes():
    runtimes.clear()
    applications.clear()
    yield
    runtimes.clear()
    applications.clear()


@pytest.fixture
def saml_connector(db):
    return ConnectorTemplate.objects.create(
        slug="test-sp",
        name="Test SP",
        type="saml",
        category="it_ops",
        placeholders=["YOURDOMAIN"],
        saml_defaults={
            "sp_entity_id": "https://YOURDOMAIN.example.com/metadata",
            "acs_urls": ["https://YOURDOMAIN.example.com/acs"],
            "nameid_format": "emailAddress",
            "nameid_source": "email",
            "attributes": [
                {"name": "Email", "source": "email"},
                {"name": "FirstName", "source": "first_name"},
                {"name": "plan", "value": "enterprise"},
            ],
        },
    )


@pytest.fixture
def saml_app_factory(saml_connector, group_factory, user_factory):
    """Return a function making an active SAML app for the test SP, with a member user."""

    def make(*, label="Test SP", sp_logout_binding="redirect", **config):
        application = app_services.application_create(connector=saml_connector, display_label=label)
        saml_configs.saml_config_update(
            application=application,
            changes=saml_configs.SamlConfigInput(
                domain="sp", sp_logout_url=SP_SLO_URL, sp_logout_binding=sp_logout_binding, **config
            ),
        )
        application.refresh_from_db()
        assert application.saml.sp_entity_id == SP_ENTITY_ID
        assert application.saml.acs_urls.get(is_default=True).url == SP_ACS_URL
        app_services.application_sso_activate(application=application)
        application.refresh_from_db()
        user = user_factory(email="ada@example.com", first_name="Ada")
        group = group_factory(name="Pilots", members=[user])
        app_services.application_groups_set(application=application, groups=[group])
        return application

    return make


@pytest.fixture
def saml_app(saml_app_factory):
    return saml_app_factory()


@pytest.fixture
def member(saml_app):
    from accounts.models import User

    return User.objects.get(email="ada@example.com")
