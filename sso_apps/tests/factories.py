"""factory_boy factories for sso_apps: catalog templates and applications made by the service."""

import factory

from sso_apps.models import Application, ConnectorTemplate
from sso_apps.services.applications import application_create

GOTOASSIST_DEFAULTS = {
    "sp_entity_id": "https://YOURDOMAIN.goto.com/saml",
    "acs_urls": ["https://YOURDOMAIN.goto.com/saml/acs"],
    "sp_login_url": "https://YOURDOMAIN.goto.com/login",
    "sp_logout_url": "",
    "sp_logout_binding": "post",
    "nameid_format": "emailAddress",
    "nameid_source": "email",
    "attributes": [
        {"name": "email", "source": "email"},
        {"name": "plan", "value": "YOURDOMAIN-enterprise"},
    ],
}


class ConnectorTemplateFactory(factory.django.DjangoModelFactory):
    """A SAML connector whose values still hold YOURDOMAIN, like most catalog entries."""

    class Meta:
        model = ConnectorTemplate
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"connector-{n}")
    name = factory.Sequence(lambda n: f"Connector {n}")
    type = "saml"
    category = "collaboration"
    description = "A test connector."
    color = "#336699"
    verified = True
    keywords = factory.LazyFunction(list)
    placeholders = factory.LazyFunction(lambda: ["YOURDOMAIN"])
    saml_defaults = factory.LazyFunction(lambda: dict(GOTOASSIST_DEFAULTS))

    class Params:
        bookmark = factory.Trait(
            type="bookmark", placeholders=factory.LazyFunction(list), saml_defaults={}
        )
        custom = factory.Trait(
            type="custom_saml", placeholders=factory.LazyFunction(list), saml_defaults={}
        )


class ApplicationFactory(factory.Factory):
    """An application made through application_create, with its SAML config and key pair."""

    class Meta:
        model = Application

    connector = factory.SubFactory(ConnectorTemplateFactory)
    display_label = factory.Sequence(lambda n: f"Application {n}")

    @classmethod
    def _create(cls, model_class, *args, connector, display_label, **kwargs):
        if connector.type == "bookmark":
            kwargs.setdefault("bookmark_url", "https://intranet.example.com/")
        return application_create(connector=connector, display_label=display_label, **kwargs)
