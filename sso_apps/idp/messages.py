"""Receive and send SAML messages for both journeys (sign-in and Single Logout).

Receiving decodes either binding, verifies the SP's signature as the app requires, checks
the message's issuer, destination and time, and keeps request IDs against replay.
"""

import base64
import datetime
from dataclasses import dataclass

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent

from sso_apps.conf import app_settings
from sso_apps.idp.request_ids import request_id_expiry, request_id_take
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
from sso_apps.saml.constants import DSIG_NS, SIGNATURE_ALGORITHMS, BindingName
from sso_apps.saml.errors import SamlBindingError, SamlSignatureError
from sso_apps.saml.parsing import verify_enveloped_signature
from sso_apps.saml.requests import (
    IncomingMessage,
    MessagePolicy,
    SamlRequestError,
    check_message,
    read_message,
)
from tessera.clock import now as _now


@dataclass(frozen=True)
class ReceivedMessage:
    """A checked incoming message, with how it arrived and whether its signature was verified."""

    message: IncomingMessage
    binding: BindingName
    relay_state: str
    xml: bytes
    # True only when the SP's signature was checked against its certificate.
    signature_verified: bool = False


def message_receive(
    *, http_request, application: Application, runtime: AppRuntime, kinds: set[str]
) -> ReceivedMessage:
    """Decode either binding, verify its signature as the app requires, and check it."""
    config = application.saml
    parameter = "SAMLResponse" if kinds == {"LogoutResponse"} else "SAMLRequest"
    redirect: RedirectMessage | None = None
    if http_request.method == "GET":
        redirect = decode_redirect(http_request.META.get("QUERY_STRING", ""))
        xml, binding, relay_state = redirect.xml, BindingName.REDIRECT, redirect.relay_state or ""
    else:
        form = posted_form(http_request)
        value = form.get(parameter) or form.get("SAMLRequest")
        if not value:
            raise SamlRequestError(f"The POST carries no {parameter}.")
        xml, binding = decode_post(value), BindingName.POST
        relay_state = form.get("RelayState", "")
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
            acs_indexes=frozenset(runtime.acs_by_index),
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
    return root.find(f"{{{DSIG_NS}}}Signature") is not None


def request_id_consume(*, application: Application, message: IncomingMessage) -> None:
    """Use up the request ID now; raise RequestReplayError if it was already used.

    For a message whose answer comes later or elsewhere (a LogoutRequest, an AuthnRequest
    waiting for a sign-in); one answered on the spot is recorded with its answer instead
    (sso_apps.idp.request_ids).
    """
    request_id_take(
        application=application,
        request_id=message.id,
        expires=request_id_expiry(message.issue_instant),
    )


def seen_requests_purge() -> int:
    """Delete request IDs too old to pass the clock check again; return how many.

    Run from beat rather than per login, so the sign-in path makes no extra write (Redis
    keys expire by themselves).
    """
    return SeenSamlRequest.objects.filter(expires_at__lt=_now()).delete()[0]


@dataclass(frozen=True)
class OutgoingMessage:
    """A message to deliver through the browser: a POST form or a redirect URL."""

    binding: BindingName
    destination: str
    parameter: str
    xml: str
    relay_state: str

    def redirect_url(self, *, private_key_pem: str, signature_algorithm: str) -> str:
        """Return the destination with the message as a signed HTTP-Redirect query."""
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

    def post_form_context(self) -> dict:
        """Return what the auto-submitting POST form template needs, the message encoded."""
        return {
            "acs_url": self.destination,
            "saml_parameter": self.parameter,
            "saml_response": base64.b64encode(self.xml.encode()).decode(),
            "relay_state": self.relay_state,
        }
