"""The demo SSO application: "Tessera SAML Tester", pointing at the built-in test SP.

It is configured through the services and the SP metadata import an admin uses, so the
one-command start shows SSO working as any admin would set it up.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.test import RequestFactory
from django.urls import Resolver404, resolve

from sso_apps.forms.metadata import SpMetadataImportForm
from sso_apps.models import Application, ConnectorTemplate
from sso_apps.services import applications as app_services
from sso_apps.services.saml_configs import AttributeInput, SamlConfigInput, saml_config_update

TESTER_LABEL = "Tessera SAML Tester"
TESTER_METADATA_PATH = "/sp-tester/metadata"
TESTER_ATTRIBUTES = [
    AttributeInput(name="email", source="email"),
    AttributeInput(name="firstName", source="first_name"),
    AttributeInput(name="lastName", source="last_name"),
    AttributeInput(name="department", source="department"),
]


def tester_metadata_xml() -> str | None:
    """Return the test SP's metadata as a GET would, or None when the tester is off."""
    # NOTE: called in-process (not over HTTP) because seed_demo runs before the server,
    # and sso_apps may not import the tester: it only reads what the tester publishes.
    base = settings.TESSERA_BASE_URL
    request = RequestFactory().get(
        TESTER_METADATA_PATH,
        secure=base.startswith("https://"),
        headers={"host": base.split("://", 1)[-1]},
    )
    try:
        match = resolve(TESTER_METADATA_PATH)
        response = match.func(request, *match.args, **match.kwargs)
    except (Resolver404, Http404):
        return None
    return response.content.decode() if response.status_code == 200 else None


@transaction.atomic
def demo_saml_tester_seed(*, groups) -> Application | None:
    """Create or reset the tester's application, authorised for `groups`; None if it is off."""
    metadata_xml = tester_metadata_xml()
    if metadata_xml is None:
        return None
    suffix = settings.SP_TESTER_IDP_SUFFIX
    application = Application.objects.filter(idp_suffix=suffix).first()
    if application is None:
        application = app_services.application_create(
            connector=ConnectorTemplate.objects.get(slug="custom-saml"),
            display_label=TESTER_LABEL,
            idp_suffix=suffix,
            description="Built-in SAML test SP: shows the assertion Tessera sends.",
            # The tile lands on the tester's result page in the same tab.
            open_in_new_tab=False,
        )
    # The development server is http://127.0.0.1:8000, so its SP URLs are http.
    saml_config_update(application=application, changes=SamlConfigInput(allow_http_sp_urls=True))
    form = SpMetadataImportForm(data={"xml": metadata_xml}, allow_http=True)
    if not form.is_valid():
        raise ValidationError(form.errors)
    form.save(application=application, request=None)
    saml_config_update(
        application=application,
        changes=SamlConfigInput(
            nameid_format="emailAddress",
            nameid_source="email",
            include_group_attribute=True,
            group_attribute_name="memberOf",
        ),
        attributes=TESTER_ATTRIBUTES,
    )
    application.refresh_from_db()
    if not application.sso_active:
        app_services.application_sso_activate(application=application)
    app_services.application_groups_set(application=application, groups=groups)
    return application
