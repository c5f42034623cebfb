"""SSO and SLO flows: accept a request, decide, and build the answer.

Views call these; they raise SamlError subclasses with reasons fit to show a user.
"""

import datetime
from dataclasses import asdict, dataclass

from django.db import IntegrityError, transaction
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.assertion import authn_statement
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
    relay_state_check,
    sign_redirect,
    verify_redirect_signature,
)
from sso_apps.saml.errors import SamlError, SamlSignatureError
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
from tessera.clock import now as _now

BINDINGS = {"redirect": BINDING_HTTP_REDIRECT, "post": BINDING_HTTP_POST}


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
        value = http_request.POST.get(parameter) or http_request.POST.get("SAMLRequest")
        if not value:
            raise SamlRequestError(f"The POST carries no {parameter}.")
        xml, binding = decode_post(value), "post"
        relay_state = http_request.POST.get("RelayState", "")
    relay_state_check(relay_state, max_bytes=app_settings.relay_state_max_bytes)
    root, message = read_message(xml, expected_kinds=kinds)
    verified = _signature_check(root, redirect, config=config)
    # Each endpoint accepts only its own URL as Destination, so a message addressed to
    # the other endpoint cannot be replayed here.
    endpoint = application.idp_sso_url if "AuthnRequest" in kinds else application.idp_slo_url
    check_message(
        message,
        policy=MessagePolicy(
            sp_entity_id=config.sp_entity_id,
            endpoint_urls=frozenset({endpoint}),
            require_destination=_is_signed(root, redirect),
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


def _signature_check(root, redirect: RedirectMessage | None, *, config) -> bool:
    """Verify the message's signature if it has one; return whether one was verified."""
    # Its own legacy switch: signing our Responses with SHA-1 for an old SP must not also
    # let anyone downgrade the signatures we accept.
    allow_sha1 = config.accept_sha1_requests
    signed = _is_signed(root, redirect)
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


def _is_signed(root, redirect: RedirectMessage | None) -> bool:
    if redirect is not None:
        return redirect.signature is not None
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
