"""The sign-in journey: accept an SP's AuthnRequest, then answer it with a signed Response.

Views call these; they raise SamlError subclasses with reasons fit to show a user. Where
the request waits during a sign-in is sso_apps.idp.pending_login; whether it must wait at
all, sso_apps.idp.detours.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError

from accounts.sessions import (
    session_authn_instant,
    session_not_on_or_after,
    session_second_factor_at,
)
from sso_apps.idp.audit import endpoint_audit_event
from sso_apps.idp.destinations import sp_destination_check
from sso_apps.idp.messages import OutgoingMessage, message_receive
from sso_apps.idp.pending_login import PendingLogin
from sso_apps.idp.processors import TesseraProcessor
from sso_apps.idp.request_ids import (
    RequestReplayError,
    request_id_expiry,
    request_id_recorded,
    seen_request_row,
)
from sso_apps.idp.runtime import AppRuntime
from sso_apps.models import Application, AuditEvent, SeenSamlRequest
from sso_apps.saml.authn_context import (
    PASSWORD_SIGN_IN,
    authn_context_choose,
    second_factor_sign_in,
)
from sso_apps.saml.constants import (
    NAMEID_FORMAT_URIS,
    NAMEID_PERSISTENT,
    SIGNATURE_ALGORITHMS,
    BindingName,
)
from sso_apps.saml.errors import SamlError
from sso_apps.saml.idp_server import ASSERTION_LIFETIME_MINUTES
from sso_apps.saml.nameid_policy import nameid_format_resolve
from sso_apps.saml.response_builder import AuthnResponseBuilder, ResponseContent
from sso_apps.saml.status import (
    SamlStatusRefusal,
    invalid_nameid_policy,
)
from sso_apps.services.audit import audit_event_log
from sso_apps.services.rows import rows_insert
from sso_apps.services.sp_sessions import sp_session_record
from tessera.clock import now as _now

# NOTE: not a SAML binding: an IdP-initiated launch answers no request. The audit event's
# binding column records how a sign-in started, and earlier events carry this value.
IDP_INITIATED = "idp-initiated"


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
    message = received.message
    # Not recorded yet: the answer's write records it, or pending_login_keep if it waits.
    expires = request_id_expiry(message.issue_instant) if message.id else None
    options = message.authn_options
    context = options.requested_context
    return PendingLogin(
        request_id=received.message.id,
        acs_url=runtime.acs_url_for(url=received.message.acs_url, index=received.message.acs_index),
        relay_state=received.relay_state,
        binding=received.binding,
        issuer=received.message.issuer,
        received_at=_now().timestamp(),
        nameid_format=options.nameid_format,
        allow_create=options.allow_create,
        sp_name_qualifier=options.sp_name_qualifier,
        force_authn=options.force_authn,
        is_passive=options.is_passive,
        context_comparison=context.comparison if context is not None else None,
        context_class_refs=context.class_refs if context is not None else (),
        context_decl_refs=context.decl_refs if context is not None else (),
        request_id_expires_at=expires.timestamp() if expires is not None else None,
    )


@dataclass(frozen=True)
class AuthnDuties:
    """How a Response answers what its AuthnRequest asked: NameID format and context class."""

    nameid_format: str
    authn_context: str


def authn_duties_resolve(
    *, application: Application, pending: PendingLogin | None, session, prospective: bool = False
) -> AuthnDuties:
    """Decide the NameID format and AuthnContextClassRef, or raise the status refusal.

    Also run before the user signs in (`prospective`), so an SP asking what we can never
    give hears so at once instead of after a password prompt: the context is then judged
    against what a sign-in with a second factor would achieve, since a step-up can give
    that. The per-user checks come at issue time.
    """
    config = application.saml
    configured = NAMEID_FORMAT_URIS[config.nameid_format]
    achieved = (
        second_factor_sign_in(config.mfa_class_ref)
        if prospective
        else _achieved(session, application)
    )
    if pending is None:  # IdP-initiated: nobody asked for anything
        return AuthnDuties(configured, authn_context_choose(None, achieved=achieved))
    nameid_format = nameid_format_resolve(
        requested=pending.nameid_format,
        configured=configured,
        allow_override=config.allow_requested_nameid_format,
        sp_name_qualifier=pending.sp_name_qualifier,
        sp_entity_id=config.sp_entity_id,
    )
    context = authn_context_choose(pending.requested_context, achieved=achieved)
    return AuthnDuties(nameid_format, context)


def _achieved(session, application: Application) -> tuple[str, ...]:
    # Every sign-in starts with the console's password form; a second factor passed in
    # this session (at sign-in or a step-up) adds the app's MFA class.
    if session is not None and session_second_factor_at(session=session) is not None:
        return second_factor_sign_in(application.saml.mfa_class_ref)
    return PASSWORD_SIGN_IN


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
    duties: AuthnDuties | None = None,
    allow_create: bool | None = None,
    session=None,
) -> IssuedResponse:
    """Build the signed (and, if configured, encrypted) Response for this user.

    `session` is the IdP session the user authenticated in: its AuthnInstant and absolute
    end go into the AuthnStatement (without one, e.g. a preview, the issue time is used).
    """
    config = application.saml
    duties = duties or authn_duties_resolve(application=application, pending=None, session=session)
    nameid_format = duties.nameid_format
    provider = config.service_provider
    if provider is None:
        raise SamlError("This application's service provider is not fully configured.")
    if (
        nameid_format == NAMEID_PERSISTENT
        and allow_create is False
        and not processor.persistent_id_exists(user, provider)
    ):
        raise invalid_nameid_policy(
            "AllowCreate is false and the user has no persistent NameID for this application yet."
        )
    try:
        user_id = processor.get_user_id(user, nameid_format, provider, runtime.server.config)
    except ValueError as error:
        raise SamlError(str(error)) from error
    sign_alg, digest_alg = SIGNATURE_ALGORITHMS[config.signature_algorithm]
    settings = runtime.settings
    # NOTE: built with lxml, not pysaml2's create_authn_response, whose construction cost as
    # much as both signatures (response_builder says how; pysaml2 still parses and reads
    # metadata). The builder is cheap to make: parsed keys and certificates are cached.
    builder = AuthnResponseBuilder(
        private_key_pem=settings.private_key_pem,
        certificate_pem=settings.certificate_pem,
        signature_algorithm=sign_alg,
        digest_algorithm=digest_alg,
        sp_certificate_pem=settings.sp.certificate_pem,
        data_encryption=settings.data_encryption,
    )
    issued_at = _now()
    authn_instant = _session_value(session, session_authn_instant)
    session_end = _session_value(session, session_not_on_or_after)
    identity = processor.create_identity(user, runtime.attributes)
    built = builder.build(
        ResponseContent(
            issuer=settings.entity_id,
            destination=acs_url,
            audience=config.sp_entity_id,
            in_response_to=in_response_to,
            name_id=user_id,
            name_id_format=nameid_format,
            authn_context=duties.authn_context,
            # Without a session (a preview) the issue time stands in, as pysaml2 did; an SP
            # can still tell a fresh sign-in from a day-old session when there is one.
            authn_instant=_moment(authn_instant) or issued_at,
            session_not_on_or_after=_moment(session_end),
            attributes=list(identity.items()),
            issued_at=issued_at,
            lifetime=datetime.timedelta(minutes=ASSERTION_LIFETIME_MINUTES),
        ),
        # Read from our config: djangosaml2idp 0.7.2 reads per-SP signing flags from the
        # wrong attribute, so its responses can go out unsigned.
        sign_response=config.sign_response,
        sign_assertion=config.sign_assertion,
        encrypt_assertion=config.encrypt_assertions,
    )
    return IssuedResponse(
        xml=built.xml,
        name_id=user_id,
        name_id_format=nameid_format,
        session_index=built.session_index,
    )


def _session_value(session, reader):
    return None if session is None else reader(session=session)


def _saml_instant(unix_time: float | None) -> str | None:
    if unix_time is None:
        return None
    moment = datetime.datetime.fromtimestamp(unix_time, tz=datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _moment(unix_time: float | None) -> datetime.datetime | None:
    if unix_time is None:
        return None
    return datetime.datetime.fromtimestamp(unix_time, tz=datetime.UTC)


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
    pending: PendingLogin | None = None,
) -> OutgoingMessage:
    """Sign the user's Response, record it (audit event, SP session) and return it to post.

    Without `acs_url` the Response goes to the app's default ACS URL. `pending` is the
    AuthnRequest answered (None for IdP-initiated). What it asked that cannot be given
    raises SamlStatusRefusal: answer it with authn_status_response_issue.
    """
    destination = sp_destination_check(
        application=application,
        url=acs_url or runtime.default_acs_url,
        registered=runtime.acs_urls,
    )
    duties = authn_duties_resolve(
        application=application, pending=pending, session=http_request.session
    )
    issued = authn_response_create(
        application=application,
        runtime=runtime,
        processor=processor,
        user=http_request.user,
        in_response_to=in_response_to,
        acs_url=destination,
        duties=duties,
        allow_create=pending.allow_create if pending is not None else None,
        session=http_request.session,
    )
    _issued_record(
        http_request=http_request,
        application=application,
        issued=issued,
        binding=binding,
        details=_duties_details(pending, duties, session=http_request.session),
        pending=pending,
    )
    return OutgoingMessage(
        binding=BindingName.POST,
        destination=destination,
        parameter="SAMLResponse",
        xml=issued.xml,
        relay_state=relay_state,
    )


def authn_status_response_issue(
    *,
    http_request,
    application: Application,
    runtime: AppRuntime,
    pending: PendingLogin,
    refusal: SamlStatusRefusal,
    outcome: str = AuditEvent.Outcome.FAILURE,
    actor=None,
) -> OutgoingMessage:
    """Answer the AuthnRequest with a signed non-success Response at its ACS URL; audit it.

    `outcome` and `actor` let a refused user's RequestDenied keep the audit event a
    denial has always had (DENIED, naming the user).
    """
    config = application.saml
    destination = sp_destination_check(
        application=application, url=pending.acs_url, registered=runtime.acs_urls
    )
    sign_alg, digest_alg = SIGNATURE_ALGORITHMS[config.signature_algorithm]
    response = runtime.server.create_status_response(
        status=refusal.status,
        in_response_to=pending.request_id,
        destination=destination,
        sign_alg=sign_alg,
        digest_alg=digest_alg,
    )
    event = endpoint_audit_event(
        http_request=http_request,
        application=application,
        action="sso.login",
        outcome=outcome,
        binding=pending.binding,
        reason=refusal.reason,
        actor=actor,
        details={"status": refusal.status.name, **_requested_details(pending)},
    )
    seen = _unrecorded_request(application, pending)
    # The refusal answers the request too: its ID is used up with the audit event, in one
    # statement, so a replay gets neither a second Response nor a second event.
    _answer_write(
        lambda: rows_insert(*(row for row in (seen, event) if row is not None)),
        application=application,
        pending=pending,
        seen=seen,
    )
    audit_event_log(event)
    return OutgoingMessage(
        binding=BindingName.POST,
        destination=destination,
        parameter="SAMLResponse",
        xml=str(response),
        relay_state=pending.relay_state,
    )


def _clip(value: str | None) -> str | None:
    # Values an SP sent, kept in a JSON column: PostgreSQL refuses NUL there, and a hostile
    # request must neither fail its own audit event nor bloat the trail.
    return None if value is None else value.replace("\x00", "\ufffd")[:256]


def _requested_details(pending: PendingLogin) -> dict:
    return {
        "requested_nameid_format": _clip(pending.nameid_format),
        "allow_create": pending.allow_create,
        "force_authn": pending.force_authn,
        "is_passive": pending.is_passive,
        "requested_authn_context": (
            None
            if pending.context_comparison is None
            else {
                "comparison": pending.context_comparison,
                "class_refs": [_clip(ref) for ref in pending.context_class_refs[:10]],
            }
        ),
    }


def _duties_details(pending: PendingLogin | None, duties: AuthnDuties, *, session) -> dict:
    details = {
        "nameid_format": duties.nameid_format,
        "authn_context": duties.authn_context,
        "authn_instant": _saml_instant(session_authn_instant(session=session)),
    }
    if pending is not None:
        details.update(_requested_details(pending))
    return details


def _unrecorded_request(application, pending: PendingLogin | None) -> SeenSamlRequest | None:
    """The row that uses up the answered request's ID, unless that was done on arrival."""
    if pending is None or pending.request_id_expires is None:
        return None
    return seen_request_row(
        application=application, request_id=pending.request_id, expires=pending.request_id_expires
    )


def _answer_write(write, *, application, pending, seen) -> None:
    """Run the answer's one write; a request ID already used (a replay) makes it fail whole.

    That failure becomes RequestReplayError: nothing of the replay was written, and the
    Response built for it is never sent.
    """
    try:
        write()
    except IntegrityError:
        if seen is not None and request_id_recorded(
            application=application, request_id=pending.request_id
        ):
            raise RequestReplayError() from None
        raise


def _issued_record(
    *, http_request, application, issued: IssuedResponse, binding: str, details: dict, pending
) -> None:
    """Write the sign-in: audit event, SP session and the request ID, in one statement."""
    if http_request.session.session_key is None:
        http_request.session.save()  # Single Logout finds the session by this key
    seen = _unrecorded_request(application, pending)
    event = endpoint_audit_event(
        http_request=http_request,
        application=application,
        action="sso.login",
        outcome=AuditEvent.Outcome.SUCCESS,
        binding=binding,
        details=details,
    )
    # One statement, so one write transaction per sign-in (sso_apps.services.rows).
    _answer_write(
        lambda: sp_session_record(
            session_key=http_request.session.session_key,
            user=http_request.user,
            application=application,
            name_id=issued.name_id,
            name_id_format=issued.name_id_format,
            session_index=issued.session_index,
            audit_event=event,
            seen_request=seen,
        ),
        application=application,
        pending=pending,
        seen=seen,
    )
    audit_event_log(event)
