"""SSO and SLO flows: accept a request, decide, and build the answer.

Views call these; they raise SamlError subclasses with reasons fit to show a user.
"""

import datetime
from dataclasses import asdict, dataclass

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import IntegrityError, transaction
from django.utils import timezone
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, samlp
from saml2.authn_context import PASSWORDPROTECTEDTRANSPORT
from saml2.saml import NameID

from sso_apps.conf import app_settings
from sso_apps.idp.processors import TesseraProcessor
from sso_apps.idp.runtime import AppRuntime
from sso_apps.models import Application, SeenSamlRequest
from sso_apps.saml.bindings import (
    RedirectMessage,
    decode_post,
    decode_redirect,
    sign_redirect,
    verify_redirect_signature,
)
from sso_apps.saml.errors import SamlBindingError, SamlError, SamlSignatureError
from sso_apps.saml.idp_server import SIGNATURE_ALGORITHMS
from sso_apps.saml.parsing import verify_enveloped_signature
from sso_apps.saml.requests import (
    IncomingMessage,
    MessagePolicy,
    SamlRequestError,
    check_message,
    read_message,
)
from sso_apps.saml.sp_descriptor import NAMEID_FORMAT_URIS

BINDINGS = {"redirect": BINDING_HTTP_REDIRECT, "post": BINDING_HTTP_POST}


def _now() -> datetime.datetime:
    """Return the current time. Used for mocking in tests."""
    return timezone.now()


@dataclass(frozen=True)
class ReceivedMessage:
    message: IncomingMessage
    binding: str  # "redirect" or "post"
    relay_state: str
    xml: bytes
    # True only when the SP's signature was checked against its certificate.
    signature_verified: bool = False


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


def message_receive(
    *, http_request, application: Application, runtime: AppRuntime, kinds: set[str]
) -> ReceivedMessage:
    """Decode either binding, verify its signature as the app requires, and check it."""
    config = application.saml
    parameter = "SAMLResponse" if kinds == {"LogoutResponse"} else "SAMLRequest"
    redirect: RedirectMessage | None = None
    if http_request.method == "GET":
        redirect = decode_redirect(http_request.META.get("QUERY_STRING", ""))
        xml, binding, relay_state = redirect.xml, "redirect", redirect.relay_state or ""
    else:
        form = posted_form(http_request)
        value = form.get(parameter) or form.get("SAMLRequest")
        if not value:
            raise SamlRequestError(f"The POST carries no {parameter}.")
        xml, binding = decode_post(value), "post"
        relay_state = form.get("RelayState", "")
    root, message = read_message(xml, expected_kinds=kinds)
    verified = _signature_check(root, redirect, config=config)
    check_message(
        message,
        policy=MessagePolicy(
            sp_entity_id=config.sp_entity_id,
            endpoint_urls=frozenset({application.idp_sso_url, application.idp_slo_url}),
            acs_urls=runtime.acs_urls,
            clock_skew=datetime.timedelta(seconds=app_settings.clock_skew_seconds),
        ),
        now=_now(),
    )
    return ReceivedMessage(
        message=message,
        binding=binding,
        relay_state=relay_state,
        xml=xml,
        signature_verified=verified,
    )


def posted_form(http_request):
    """Return the POSTed form; a body Django will not parse is a refused message, not a bare 400."""
    try:
        return http_request.POST
    except (RequestDataTooBig, TooManyFieldsSent) as error:
        raise SamlBindingError("The POSTed SAML message exceeds the allowed size.") from error


def _signature_check(root, redirect: RedirectMessage | None, *, config) -> bool:
    """Verify the message's signature if it has one; return whether one was verified."""
    allow_sha1 = config.signature_algorithm == "rsa-sha1"
    signed = redirect.signature is not None if redirect else _has_signature(root)
    if config.require_signed_requests and not signed:
        raise SamlSignatureError("This application requires signed requests; this one is not.")
    if not signed:
        return False
    if not config.sp_certificate:
        # Nothing to check it against: a signature we cannot verify proves nothing.
        return False
    if redirect is not None:
        # djangosaml2idp never verifies HTTP-Redirect signatures (upstream issue 135).
        verify_redirect_signature(
            redirect, certificate_pem=config.sp_certificate, allow_sha1=allow_sha1
        )
    else:
        verify_enveloped_signature(
            root, certificate_pem=config.sp_certificate, allow_sha1=allow_sha1
        )
    return True


def _has_signature(root) -> bool:
    return root.find("{http://www.w3.org/2000/09/xmldsig#}Signature") is not None


def request_id_consume(*, application: Application, message: IncomingMessage) -> None:
    """Record the request ID; raise if it was already used (a replay), across all workers."""
    expires = message.issue_instant + datetime.timedelta(
        seconds=2 * app_settings.clock_skew_seconds
    )
    try:
        with transaction.atomic():
            SeenSamlRequest.objects.create(
                application=application, request_id=message.id[:256], expires_at=expires
            )
    except IntegrityError as error:
        raise SamlRequestError("This request was already used; start the sign-in again.") from error


def seen_requests_purge() -> int:
    """Delete request IDs too old to pass the clock check again; return how many.

    Run from beat rather than per login, so the sign-in path makes no extra write.
    """
    return SeenSamlRequest.objects.filter(expires_at__lt=_now()).delete()[0]


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
        acs_url=received.message.acs_url or runtime.default_acs_url,
        relay_state=received.relay_state,
        binding=received.binding,
        issuer=received.message.issuer,
    )


def authn_response_create(
    *,
    application: Application,
    runtime: AppRuntime,
    processor: TesseraProcessor,
    user,
    in_response_to: str | None,
    acs_url: str,
) -> str:
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
    response = runtime.server.create_authn_response(
        identity=processor.create_identity(user, runtime.attributes),
        in_response_to=in_response_to,
        destination=acs_url,
        sp_entity_id=config.sp_entity_id,
        userid=user_id,
        name_id=NameID(format=nameid_format, text=user_id),
        authn={"class_ref": PASSWORDPROTECTEDTRANSPORT},
        # Read from our config: djangosaml2idp 0.7.2 reads per-SP signing flags from the
        # wrong attribute, so its responses can go out unsigned.
        sign_response=config.sign_response,
        sign_assertion=config.sign_assertion,
        sign_alg=sign_alg,
        digest_alg=digest_alg,
        encrypt_assertion=config.encrypt_assertions,
        encrypt_assertion_self_contained=True,
    )
    return str(response)


@dataclass(frozen=True)
class OutgoingMessage:
    """A message to deliver through the browser: a POST form or a redirect URL."""

    binding: str
    destination: str
    parameter: str
    xml: str
    relay_state: str

    def redirect_url(self, *, private_key_pem: str, signature_algorithm: str) -> str:
        sign_alg, _ = SIGNATURE_ALGORITHMS[signature_algorithm]
        query = sign_redirect(
            xml=self.xml,
            parameter=self.parameter,
            relay_state=self.relay_state or None,
            sig_alg=sign_alg,
            private_key_pem=private_key_pem,
        )
        separator = "&" if "?" in self.destination else "?"
        return f"{self.destination}{separator}{query}"


def logout_request_receive(
    *, http_request, application: Application, runtime: AppRuntime
) -> ReceivedMessage:
    """Validate an SP's LogoutRequest (or LogoutResponse to one of ours)."""
    kinds = (
        {"LogoutResponse"}
        if "SAMLResponse" in http_request.GET
        or (http_request.method == "POST" and "SAMLResponse" in posted_form(http_request))
        else {"LogoutRequest"}
    )
    received = message_receive(
        http_request=http_request, application=application, runtime=runtime, kinds=kinds
    )
    if received.message.kind == "LogoutRequest":
        request_id_consume(application=application, message=received.message)
    return received


def logout_subject(*, application: Application, message: IncomingMessage):
    """Return the user a LogoutRequest's NameID names for this app, or None."""
    from django.contrib.auth import get_user_model
    from djangosaml2idp.models import PersistentId

    if not message.name_id:
        return None
    config = application.saml
    if config.nameid_format == "persistent":
        found = PersistentId.objects.filter(
            sp_id=config.service_provider_id, persistent_id=_uuid_or_none(message.name_id)
        ).select_related("user")
        return found[0].user if found else None
    if config.nameid_format == "transient":
        return None  # transient IDs are never stored; only the current session can end
    lookup = {f"{config.nameid_source}__iexact": message.name_id}
    return get_user_model().objects.filter(**lookup).first()


def _uuid_or_none(value: str):
    import uuid

    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def logout_response_create(
    *, application: Application, runtime: AppRuntime, received: ReceivedMessage
) -> OutgoingMessage:
    """Build the LogoutResponse for the app's SP Logout URL over its configured binding.

    Over POST the message carries an enveloped signature; over Redirect the query string
    is signed instead, as the bindings specification requires.
    """
    config = application.saml
    if not config.sp_logout_url:
        raise SamlError("This application has no SP Logout URL to answer to.")
    binding = config.sp_logout_binding
    sign_alg, digest_alg = SIGNATURE_ALGORITHMS[config.signature_algorithm]
    response = runtime.server.create_logout_response(
        samlp.logout_request_from_string(received.xml),
        bindings=[BINDINGS[binding]],
        sign=binding == "post",
        sign_alg=sign_alg,
        digest_alg=digest_alg,
    )
    return OutgoingMessage(
        binding=binding,
        destination=config.sp_logout_url,
        parameter="SAMLResponse",
        xml=str(response),
        relay_state=received.relay_state,
    )
