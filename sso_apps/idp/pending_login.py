"""The AuthnRequest that waits in the session while the user signs in (the detour).

A validated request is kept under its app's key until /continue answers it; an IsPassive
one also rides in the /continue URL, signed, so its NoPassive answer survives a session
that ends on the way.
"""

import datetime
from dataclasses import asdict, dataclass, fields, replace

from django.core import signing

from accounts.sessions import session_authn_instant
from sso_apps.idp.request_ids import request_id_take
from sso_apps.models import Application
from sso_apps.saml.authn_context import RequestedAuthnContext

# Where a validated AuthnRequest waits in the session while the user signs in.
PENDING_KEY = "saml_pending:{suffix}"


@dataclass(frozen=True)
class PendingLogin:
    """A validated AuthnRequest waiting for the user to sign in; kept in the session."""

    request_id: str | None
    acs_url: str
    relay_state: str
    binding: str
    issuer: str
    # What the AuthnRequest asked of the sign-in (see saml.requests.AuthnRequestOptions).
    received_at: float = 0.0
    nameid_format: str | None = None
    allow_create: bool | None = None
    sp_name_qualifier: str | None = None
    force_authn: bool = False
    is_passive: bool = False
    context_comparison: str | None = None
    context_class_refs: tuple[str, ...] = ()
    context_decl_refs: tuple[str, ...] = ()
    # Unix time the request ID expires while nothing has used it up yet: the answer's write
    # then records it (sso_apps.idp.request_ids). None once recorded, or with no ID.
    request_id_expires_at: float | None = None

    @property
    def request_id_expires(self) -> datetime.datetime | None:
        """When the unrecorded request ID expires, as the record needs it; else None."""
        if not self.request_id or self.request_id_expires_at is None:
            return None
        return datetime.datetime.fromtimestamp(self.request_id_expires_at, datetime.UTC)

    def to_session(self) -> dict:
        return asdict(self)

    @classmethod
    def from_session(cls, data: dict) -> "PendingLogin":
        # A request kept by an older release lacks the newer keys: their defaults apply.
        known = {field.name for field in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        for key in ("context_class_refs", "context_decl_refs"):
            values[key] = tuple(values.get(key) or ())
        return cls(**values)

    @property
    def requested_context(self) -> RequestedAuthnContext | None:
        if self.context_comparison is None:
            return None
        return RequestedAuthnContext(
            class_refs=self.context_class_refs,
            comparison=self.context_comparison,
            decl_refs=self.context_decl_refs,
        )

    def needs_reauthentication(self, *, session) -> bool:
        """Return whether ForceAuthn asks for a password entered after the request came."""
        if not self.force_authn:
            return False
        instant = session_authn_instant(session=session)
        return instant is None or instant <= self.received_at


def pending_login_keep(*, http_request, application: Application, pending: PendingLogin) -> None:
    """Keep the validated request in the session until the user has signed in.

    Its ID is used up first, so a replay while it waits is refused at once
    (RequestReplayError), however the wait ends.
    """
    if pending.request_id_expires is not None:
        request_id_take(
            application=application,
            request_id=pending.request_id,
            expires=pending.request_id_expires,
        )
        pending = replace(pending, request_id_expires_at=None)
    http_request.session[PENDING_KEY.format(suffix=application.idp_suffix)] = pending.to_session()


def pending_login_take(*, http_request, application: Application) -> PendingLogin | None:
    """Remove and return the request waiting for this app, or None if there is none."""
    data = http_request.session.pop(PENDING_KEY.format(suffix=application.idp_suffix), None)
    return None if data is None else PendingLogin.from_session(data)


def pending_login_peek(*, http_request, application: Application) -> PendingLogin | None:
    """Return the request waiting for this app without removing it, or None."""
    data = http_request.session.get(PENDING_KEY.format(suffix=application.idp_suffix))
    return None if data is None else PendingLogin.from_session(data)


# An IsPassive request also rides along in the /continue URL, signed: if the session ends
# on the way (idle timeout, signed out in another tab) its data, the pending request with
# it, is flushed, and the SP is still owed its NoPassive answer rather than a sign-in page.
PASSIVE_TOKEN_PARAMETER = "passive"  # noqa: S105 (a query parameter name)
# The hop from the SSO URL to /continue is one redirect; ten minutes spares slow browsers.
PASSIVE_TOKEN_MAX_AGE_SECONDS = 600


def _passive_salt(application: Application) -> str:
    # Per app: a token minted for one app's request is nothing at another's /continue.
    return f"tessera.saml.passive:{application.idp_suffix}"


def passive_token_create(*, application: Application, pending: PendingLogin) -> str:
    return signing.dumps(pending.to_session(), salt=_passive_salt(application), compress=True)


def passive_token_read(*, application: Application, token: str) -> PendingLogin | None:
    """Return the passive request a /continue token carries, or None if it is not ours.

    Only ever used to answer NoPassive (a Response with no assertion) to an ACS URL the app
    registered, so a replayed token gives nobody anything.
    """
    if not token:
        return None
    try:
        data = signing.loads(
            token, salt=_passive_salt(application), max_age=PASSIVE_TOKEN_MAX_AGE_SECONDS
        )
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    pending = PendingLogin.from_session(data)
    return pending if pending.is_passive else None
