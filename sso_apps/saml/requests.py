"""Read and check incoming SAML protocol messages (AuthnRequest, LogoutRequest/Response).

Plain functions over already-decoded XML, so views stay thin and tests need no HTTP.
Replay protection needs shared storage and lives with the caller.
"""

import datetime
from dataclasses import dataclass

from lxml import etree

from sso_apps.saml.authn_context import COMPARISONS, RequestedAuthnContext
from sso_apps.saml.constants import ASSERTION_NS, PROTOCOL_NS
from sso_apps.saml.errors import SamlError
from sso_apps.saml.parsing import parse_protocol_message

KINDS = {"AuthnRequest", "LogoutRequest", "LogoutResponse"}
MAX_REQUESTED_CONTEXTS = 20


class SamlRequestError(SamlError):
    """Signal an incoming message that must be refused, with the reason to show."""


@dataclass(frozen=True)
class AuthnRequestOptions:
    """What an AuthnRequest asks of the sign-in: NameIDPolicy, ForceAuthn, IsPassive, context."""

    nameid_format: str | None = None
    # None when the request has no NameIDPolicy or leaves AllowCreate out (which means false
    # per SAML core 3.4.1.1, but only matters for a persistent ID that does not exist yet).
    allow_create: bool | None = None
    sp_name_qualifier: str | None = None
    force_authn: bool = False
    is_passive: bool = False
    requested_context: RequestedAuthnContext | None = None


@dataclass(frozen=True)
class IncomingMessage:
    """The fields of an incoming protocol message that the IdP acts on."""

    kind: str
    id: str
    issuer: str
    issue_instant: datetime.datetime
    destination: str | None
    acs_url: str | None = None
    acs_index: int | None = None
    protocol_binding: str | None = None
    authn_options: AuthnRequestOptions | None = None
    name_id: str | None = None
    session_indexes: tuple[str, ...] = ()
    in_response_to: str | None = None
    status: str | None = None


def read_message(xml: bytes, *, expected_kinds: set[str]) -> tuple[etree._Element, IncomingMessage]:
    """Parse safely (no DTD, entities, comments or PIs) and return the root and its fields."""
    root = parse_protocol_message(xml)
    namespace, _, kind = root.tag[1:].partition("}")
    if namespace != PROTOCOL_NS or kind not in expected_kinds:
        raise SamlRequestError(
            f"Expected a SAML {' or '.join(sorted(expected_kinds))}, got {kind or root.tag}."
        )
    if root.get("Version") != "2.0":
        raise SamlRequestError("Only SAML 2.0 messages are accepted.")
    message_id = root.get("ID") or ""
    if not message_id:
        raise SamlRequestError("The message has no ID.")
    _refuse_repeated_children(root)
    issuer = text_of(_one_child(root, f"{{{ASSERTION_NS}}}Issuer"))
    if not issuer:
        raise SamlRequestError("The message names no Issuer.")
    status = root.find(f"{{{PROTOCOL_NS}}}Status/{{{PROTOCOL_NS}}}StatusCode")
    return root, IncomingMessage(
        kind=kind,
        id=message_id,
        issuer=issuer,
        issue_instant=_instant(root.get("IssueInstant")),
        destination=root.get("Destination"),
        acs_url=root.get("AssertionConsumerServiceURL"),
        acs_index=_acs_index(root) if kind == "AuthnRequest" else None,
        protocol_binding=root.get("ProtocolBinding"),
        authn_options=_authn_options(root) if kind == "AuthnRequest" else None,
        name_id=text_of(_one_child(root, f"{{{ASSERTION_NS}}}NameID")) or None,
        session_indexes=tuple(
            text_of(node) for node in root.findall(f"{{{PROTOCOL_NS}}}SessionIndex")
        ),
        in_response_to=root.get("InResponseTo"),
        status=status.get("Value") if status is not None else None,
    )


def _authn_options(root: etree._Element) -> AuthnRequestOptions:
    policy = root.find(f"{{{PROTOCOL_NS}}}NameIDPolicy")
    return AuthnRequestOptions(
        nameid_format=(policy.get("Format") or None) if policy is not None else None,
        allow_create=(
            _boolean(policy, "AllowCreate")
            if policy is not None and policy.get("AllowCreate") is not None
            else None
        ),
        sp_name_qualifier=policy.get("SPNameQualifier") if policy is not None else None,
        force_authn=bool(_boolean(root, "ForceAuthn")),
        is_passive=bool(_boolean(root, "IsPassive")),
        requested_context=_requested_context(root),
    )


def _boolean(element: etree._Element, attribute: str) -> bool:
    # xs:boolean allows exactly these four spellings; anything else is a malformed request
    # rather than "false", or a typo would quietly skip a re-authentication the SP asked for.
    value = element.get(attribute)
    if value is None:
        return False
    if value.strip() in {"true", "1"}:
        return True
    if value.strip() in {"false", "0"}:
        return False
    raise SamlRequestError(f"The {attribute} attribute must be true or false, not {value!r}.")


def _requested_context(root: etree._Element) -> RequestedAuthnContext | None:
    node = root.find(f"{{{PROTOCOL_NS}}}RequestedAuthnContext")
    if node is None:
        return None
    comparison = node.get("Comparison") or "exact"
    if comparison not in COMPARISONS:
        raise SamlRequestError(
            f"The RequestedAuthnContext Comparison {comparison!r} is not one of "
            f"{', '.join(COMPARISONS)}."
        )
    class_refs = tuple(
        text_of(ref) for ref in node.findall(f"{{{ASSERTION_NS}}}AuthnContextClassRef")
    )
    decl_refs = tuple(
        text_of(ref) for ref in node.findall(f"{{{ASSERTION_NS}}}AuthnContextDeclRef")
    )
    if not class_refs and not decl_refs:
        raise SamlRequestError("The RequestedAuthnContext names no authentication context.")
    # The pending request keeps these in the session: a real SP names a handful.
    if len(class_refs) + len(decl_refs) > MAX_REQUESTED_CONTEXTS:
        raise SamlRequestError(
            f"The RequestedAuthnContext names more than {MAX_REQUESTED_CONTEXTS} contexts."
        )
    return RequestedAuthnContext(
        class_refs=tuple(dict.fromkeys(class_refs)),
        comparison=comparison,
        decl_refs=tuple(dict.fromkeys(decl_refs)),
    )


# AssertionConsumerServiceIndex is an xs:unsignedShort (SAML core 3.4.1).
_MAX_ACS_INDEX = 65535


def _acs_index(root: etree._Element) -> int | None:
    value = root.get("AssertionConsumerServiceIndex")
    if value is None:
        return None
    # SAML core 3.4.1: the index and AssertionConsumerServiceURL are mutually exclusive;
    # with both, which one the SP meant (and signed for) is ambiguous.
    if root.get("AssertionConsumerServiceURL") is not None:
        raise SamlRequestError(
            "The request names both an AssertionConsumerServiceURL and an "
            "AssertionConsumerServiceIndex; SAML allows only one."
        )
    text = value.strip()
    if not text.isascii() or not text.isdigit() or int(text) > _MAX_ACS_INDEX:
        raise SamlRequestError(
            f"The AssertionConsumerServiceIndex {value[:20]!r} is not a number from 0 to "
            f"{_MAX_ACS_INDEX}."
        )
    return int(text)


def text_of(element: etree._Element | None) -> str:
    """Return an element's stripped text, refusing any content but a single text node."""
    if element is None:
        return ""
    # findtext() and .text stop at the first child node, so "victim@example.com<!---->.x"
    # would read as the victim while the signature covers the whole value; lxml counts
    # comments, PIs and entity references as children, and merges CDATA into the text.
    if len(element):
        raise SamlRequestError(
            f"The {etree.QName(element).localname} element must contain only text."
        )
    return (element.text or "").strip()


def _one_child(root: etree._Element, tag: str) -> etree._Element | None:
    # The schema allows at most one; with two, the signed-over value we act on is ambiguous.
    found = root.findall(tag)
    if len(found) > 1:
        raise SamlRequestError(f"The message carries more than one {etree.QName(tag).localname}.")
    return found[0] if found else None


# The schema allows at most one of each. We read the first copy; pysaml2, which parses the
# message again to build the LogoutResponse, keeps the last, so two would be judged apart.
_SINGLE_CHILDREN = (
    f"{{{ASSERTION_NS}}}Issuer",
    f"{{{ASSERTION_NS}}}NameID",
    f"{{{ASSERTION_NS}}}BaseID",
    f"{{{ASSERTION_NS}}}EncryptedID",
    f"{{{ASSERTION_NS}}}Subject",
    f"{{{ASSERTION_NS}}}Conditions",
    f"{{{PROTOCOL_NS}}}Extensions",
    f"{{{PROTOCOL_NS}}}NameIDPolicy",
    f"{{{PROTOCOL_NS}}}RequestedAuthnContext",
    f"{{{PROTOCOL_NS}}}Scoping",
    f"{{{PROTOCOL_NS}}}Status",
)


def _refuse_repeated_children(root: etree._Element) -> None:
    for tag in _SINGLE_CHILDREN:
        if len(root.findall(tag)) > 1:
            name = tag.rpartition("}")[2]
            raise SamlRequestError(f"The message carries more than one {name} element.")


@dataclass(frozen=True)
class MessagePolicy:
    """What an application expects of messages sent to one of its endpoints."""

    sp_entity_id: str
    endpoint_urls: frozenset[str]
    acs_urls: tuple[str, ...] = ()
    acs_indexes: frozenset[int] = frozenset()
    clock_skew: datetime.timedelta = datetime.timedelta(minutes=3)
    # SAML bindings 3.4.5.2/3.5.5.2: a signed message MUST name its Destination, which is
    # what stops a signed message for one endpoint or IdP from being replayed at another.
    require_destination: bool = False


def check_message(
    message: IncomingMessage, *, policy: MessagePolicy, now: datetime.datetime
) -> None:
    """Raise SamlRequestError unless issuer, destination, time and ACS URL are acceptable."""
    if message.issuer != policy.sp_entity_id:
        raise SamlRequestError(
            f"The request comes from {message.issuer!r}, which is not this application's "
            "service provider."
        )
    if message.destination is None:
        if policy.require_destination:
            raise SamlRequestError("The request is signed but names no Destination.")
    elif message.destination not in policy.endpoint_urls:
        raise SamlRequestError(
            f"The request was addressed to {message.destination!r}, not to this endpoint."
        )
    if abs(now - message.issue_instant) > policy.clock_skew:
        raise SamlRequestError(
            "The request is too old or from the future (IssueInstant "
            f"{message.issue_instant:%Y-%m-%dT%H:%M:%SZ}); check the clocks."
        )
    requested_acs = message.acs_url if message.kind == "AuthnRequest" else None
    if requested_acs is not None and requested_acs not in policy.acs_urls:
        raise SamlRequestError(
            f"The requested ACS URL {requested_acs!r} is not registered for this application."
        )
    requested_index = message.acs_index if message.kind == "AuthnRequest" else None
    if requested_index is not None and requested_index not in policy.acs_indexes:
        raise SamlRequestError(
            f"The requested AssertionConsumerServiceIndex {requested_index} is not registered "
            "for this application."
        )


def _instant(value: str | None) -> datetime.datetime:
    if not value:
        raise SamlRequestError("The message has no IssueInstant.")
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.UTC)
        # A time at the edge of the calendar (9999-12-31T23:59-01:00) overflows in UTC.
        return parsed.astimezone(datetime.UTC)
    except (ValueError, OverflowError) as error:
        raise SamlRequestError(f"The IssueInstant {value!r} is not a valid time.") from error
