"""Preview the Assertion a user would receive, built by the sign-in code itself.

Nothing is sent, consumed or recorded except the admin's "sso.preview" audit event: no SP
session, no request ID, no PersistentId, and the XML lives only in the page shown.
"""

from dataclasses import dataclass, replace

from django.http import Http404
from djangosaml2idp.models import PersistentId

from sso_apps.idp.authn import authn_response_create
from sso_apps.idp.processors import TesseraProcessor
from sso_apps.idp.runtime import runtimes
from sso_apps.models import Application
from sso_apps.saml.assertion_view import AssertionView, assertion_view
from sso_apps.saml.constants import NAMEID_FORMAT_URIS, NAMEID_PERSISTENT, NAMEID_TRANSIENT
from sso_apps.saml.errors import SamlError
from sso_apps.saml.idp_server import build_idp_server
from sso_apps.selectors.access import access_denial_reasons
from sso_apps.services.audit import audit_record

# Stands in for a persistent NameID the user does not have yet.
PERSISTENT_ID_PENDING = "(a persistent ID will be created at first sign-in)"


class PreviewProcessor(TesseraProcessor):
    """The sign-in processor, except that it never creates a persistent ID."""

    def __init__(self, entity_id: str, *, application):
        super().__init__(entity_id, application=application)
        self.persistent_id_pending = False

    def get_user_id(self, user, name_id_format, service_provider, idp_config) -> str:
        if name_id_format != NAMEID_PERSISTENT:
            return super().get_user_id(user, name_id_format, service_provider, idp_config)
        # djangosaml2idp's NameIdBuilder.get_nameid_persistent uses get_or_create: a
        # preview must not give the user a persistent ID they have not signed in for.
        existing = PersistentId.objects.filter(sp=service_provider, user=user).first()
        if existing is None:
            self.persistent_id_pending = True
            return PERSISTENT_ID_PENDING
        return str(existing.persistent_id)


@dataclass(frozen=True)
class AssertionPreview:
    """The Assertion a user would receive, and why they would be refused, if they would."""

    user: object
    denial_reasons: list[str]
    problem: str = ""
    assertion: AssertionView | None = None
    persistent_id_pending: bool = False
    transient: bool = False
    sign_response: bool = False
    sign_assertion: bool = False
    encrypted: bool = False

    @property
    def would_sign_in(self) -> bool:
        return not self.denial_reasons and not self.problem


def _unsent_copy(application: Application) -> Application:
    # NOTE: a private instance, never saved: with signing and encryption off in memory,
    # authn_response_create builds exactly the Assertion a sign-in would, but no signed
    # (bearer) message exists even in memory, and the plain Assertion can be shown.
    copy = Application.objects.select_related("saml", "saml__service_provider").get(
        pk=application.pk
    )
    copy.saml.sign_response = False
    copy.saml.sign_assertion = False
    copy.saml.encrypt_assertions = False
    return copy


def assertion_preview(*, request, application: Application, user) -> AssertionPreview:
    """Build the user's Assertion as a sign-in would, record "sso.preview", send nothing."""
    config = application.saml
    audit_record(
        action="sso.preview",
        request=request,
        target=user,
        application=application,
        sp_entity_id=config.sp_entity_id,
    )
    reasons = access_denial_reasons(user=user, application=application)
    flags = {
        "sign_response": config.sign_response,
        "sign_assertion": config.sign_assertion,
        "encrypted": config.encrypt_assertions,
        "transient": NAMEID_FORMAT_URIS[config.nameid_format] == NAMEID_TRANSIENT,
    }
    try:
        cached = runtimes.get(application)
    except Http404 as error:
        return AssertionPreview(user=user, denial_reasons=reasons, problem=str(error), **flags)
    # A Server of its own: pysaml2 keeps every assertion it creates in the Server's
    # session store, and the shared runtime's must not hold previews.
    runtime = replace(cached, server=build_idp_server(cached.settings))
    copy = _unsent_copy(application)
    processor = PreviewProcessor(config.sp_entity_id, application=copy)
    try:
        issued = authn_response_create(
            application=copy,
            runtime=runtime,
            processor=processor,
            user=user,
            in_response_to=None,
            acs_url=runtime.default_acs_url,
        )
        view = assertion_view(issued.xml)
    except SamlError as error:
        return AssertionPreview(user=user, denial_reasons=reasons, problem=error.reason, **flags)
    return AssertionPreview(
        user=user,
        denial_reasons=reasons,
        assertion=view,
        persistent_id_pending=processor.persistent_id_pending,
        **flags,
    )
