"""The sign-in journey: accept an SP's AuthnRequest, then answer it with a signed Response.

Views call these; they raise SamlError subclasses with reasons fit to show a user.
"""

from dataclasses import asdict, dataclass

from django.db import transaction
from saml2.assertion import authn_statement
from saml2.authn_context import PASSWORDPROTECTEDTRANSPORT
from saml2.saml import NameID

from sso_apps.idp.audit import endpoint_audit
from sso_apps.idp.destinations import sp_destination_check
from sso_apps.idp.messages import OutgoingMessage, message_receive, request_id_consume
from sso_apps.idp.processors import TesseraProcessor
from sso_apps.idp.runtime import AppRuntime
from sso_apps.models import Application, AuditEvent
from sso_apps.saml.constants import NAMEID_FORMAT_URIS, SIGNATURE_ALGORITHMS, BindingName
from sso_apps.saml.errors import SamlError
from sso_apps.services.sp_sessions import sp_session_record

# Where a validated AuthnRequest waits in the session while the user signs in.
PENDING_KEY = "saml_pending:{suffix}"
# NOTE: not a SAML binding: an IdP-initiated launch answers no request. The audit event's
# binding column records how a sign-in started, and earlier events carry this value.
IDP_INITIATED = "idp-initiated"


@dataclass(frozen=True)
class PendingLogin:
    """A validated AuthnRequest waiting for the user to sign in; kept in the session."""

    request_id: str | None
    acs_url: str
    relay_state: str
    binding: str
    issuer: str

    def to_session(self) -> dict:
        return asdict(self)

    @classmethod
    def from_session(cls, data: dict) -> "PendingLogin":
        return cls(**data)


def pending_login_keep(*, http_request, application: Application, pending: PendingLogin) -> None:
    """Keep the validated request in the session until the user has signed in."""
    http_request.session[PENDING_KEY.format(suffix=application.idp_suffix)] = pending.to_session()


def pending_login_take(*, http_request, application: Application) -> PendingLogin | None:
    """Remove and return the request waiting for this app, or None if there is none."""
    data = http_request.session.pop(PENDING_KEY.format(suffix=application.idp_suffix), None)
    return None if data is None else PendingLogin.from_session(data)


def authn_request_receive(
    *, http_request, application: Application, runtime: AppRuntime
) -> PendingLogin:
    """Validate an SP's AuthnRequest and return what is needed to answer it."""
    received = message_receive(
        http_request=http_request,
        application=application,
        runtime=runtime,
        kinds={"AuthnRequest"},
    )
    request_id_consume(application=application, message=received.message)
    return PendingLogin(
        request_id=received.message.id,
        acs_url=runtime.acs_url_for(url=received.message.acs_url, index=received.message.acs_index),
        relay_state=received.relay_state,
        binding=received.binding,
        issuer=received.message.issuer,
    )


@dataclass(frozen=True)
class IssuedResponse:
    """A signed Response and the subject details Single Logout must match later."""

    xml: str
    name_id: str
    name_id_format: str
    session_index: str


def authn_response_create(
    *,
    application: Application,
    runtime: AppRuntime,
    processor: TesseraProcessor,
    user,
    in_response_to: str | None,
    acs_url: str,
) -> IssuedResponse:
    """Build the signed (and, if configured, encrypted) Response for this user."""
    config = application.saml
    nameid_format = NAMEID_FORMAT_URIS[config.nameid_format]
    provider = config.service_provider
    if provider is None:
        raise SamlError("This application's service provider is not fully configured.")
    try:
        user_id = processor.get_user_id(user, nameid_format, provider, runtime.server.config)
    except ValueError as error:
        raise SamlError(str(error)) from error
    sign_alg, digest_alg = SIGNATURE_ALGORITHMS[config.signature_algorithm]
    # Our own statement, so the SessionIndex the SP receives is known (see TesseraServer).
    statement = authn_statement(authn_class=PASSWORDPROTECTEDTRANSPORT)
    response = runtime.server.create_authn_response(
        identity=processor.create_identity(user, runtime.attributes),
        in_response_to=in_response_to,
        destination=acs_url,
        sp_entity_id=config.sp_entity_id,
        userid=user_id,
        name_id=NameID(format=nameid_format, text=user_id),
        authn_statement=statement,
        # Read from our config: djangosaml2idp 0.7.2 reads per-SP signing flags from the
        # wrong attribute, so its responses can go out unsigned.
        sign_response=config.sign_response,
        sign_assertion=config.sign_assertion,
        sign_alg=sign_alg,
        digest_alg=digest_alg,
        encrypt_assertion=config.encrypt_assertions,
        encrypt_assertion_self_contained=True,
    )
    return IssuedResponse(
        xml=str(response),
        name_id=user_id,
        name_id_format=nameid_format,
        session_index=statement.session_index,
    )


def authn_response_issue(
    *,
    http_request,
    application: Application,
    runtime: AppRuntime,
    processor: TesseraProcessor,
    in_response_to: str | None,
    acs_url: str | None,
    relay_state: str,
    binding: str,
) -> OutgoingMessage:
    """Sign the user's Response, record it (audit event, SP session) and return it to post.

    Without `acs_url` the Response goes to the app's default ACS URL.
    """
    destination = sp_destination_check(
        application=application,
        url=acs_url or runtime.default_acs_url,
        registered=runtime.acs_urls,
    )
    issued = authn_response_create(
        application=application,
        runtime=runtime,
        processor=processor,
        user=http_request.user,
        in_response_to=in_response_to,
        acs_url=destination,
    )
    _issued_record(
        http_request=http_request, application=application, issued=issued, binding=binding
    )
    return OutgoingMessage(
        binding=BindingName.POST,
        destination=destination,
        parameter="SAMLResponse",
        xml=issued.xml,
        relay_state=relay_state,
    )


def _issued_record(*, http_request, application, issued: IssuedResponse, binding: str) -> None:
    if http_request.session.session_key is None:
        http_request.session.save()  # Single Logout finds the session by this key
    with transaction.atomic(savepoint=False):
        endpoint_audit(
            http_request=http_request,
            application=application,
            action="sso.login",
            outcome=AuditEvent.Outcome.SUCCESS,
            binding=binding,
        )
        sp_session_record(
            session_key=http_request.session.session_key,
            user=http_request.user,
            application=application,
            name_id=issued.name_id,
            name_id_format=issued.name_id_format,
            session_index=issued.session_index,
        )
