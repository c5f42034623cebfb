"""Statuses an IdP answers with beyond plain Success (SAML core 2.0 section 3.2.2.2).

An SP that asked for something we cannot give (a NameID format, a passive sign-in, an
authentication context) is owed a signed Response saying so at its ACS URL, not an error
page: these name the status, and `TesseraServer.create_status_response` builds it.
"""

from dataclasses import dataclass

from saml2 import samlp

from sso_apps.saml.constants import (
    STATUS_INVALID_NAMEID_POLICY,
    STATUS_NO_AUTHN_CONTEXT,
    STATUS_NO_PASSIVE,
    STATUS_PARTIAL_LOGOUT,
    STATUS_REQUEST_DENIED,
    STATUS_REQUESTER,
    STATUS_RESPONDER,
    STATUS_SUCCESS,
)
from sso_apps.saml.errors import SamlError


@dataclass(frozen=True)
class SamlStatus:
    """A top-level status code, a second-level one and a message for the SP's logs."""

    top: str
    second: str
    message: str

    @property
    def name(self) -> str:
        """Return the second-level code's short name, e.g. "NoPassive"."""
        return self.second.rpartition(":")[2]

    def to_element(self) -> samlp.Status:
        """Return the pysaml2 Status element carrying both codes and the message."""
        return samlp.Status(
            status_code=samlp.StatusCode(
                value=self.top, status_code=samlp.StatusCode(value=self.second)
            ),
            status_message=samlp.StatusMessage(text=self.message),
        )


class SamlStatusRefusal(SamlError):
    """Signal an AuthnRequest answered with a non-success status Response, not a 4xx page."""

    def __init__(self, status: SamlStatus) -> None:
        super().__init__(f"{status.name}: {status.message}")
        self.status = status


def invalid_nameid_policy(message: str) -> SamlStatusRefusal:
    # The requester's fault: it asked for a NameID the IdP will not issue to it.
    return SamlStatusRefusal(SamlStatus(STATUS_REQUESTER, STATUS_INVALID_NAMEID_POLICY, message))


def no_passive(message: str) -> SamlStatusRefusal:
    # Responder per SAML core 3.2.2.2: the IdP cannot authenticate without interaction.
    return SamlStatusRefusal(SamlStatus(STATUS_RESPONDER, STATUS_NO_PASSIVE, message))


def no_authn_context(message: str) -> SamlStatusRefusal:
    return SamlStatusRefusal(SamlStatus(STATUS_RESPONDER, STATUS_NO_AUTHN_CONTEXT, message))


def request_denied(message: str) -> SamlStatusRefusal:
    # Responder: the IdP chooses not to answer this request (the user may not use the app).
    return SamlStatusRefusal(SamlStatus(STATUS_RESPONDER, STATUS_REQUEST_DENIED, message))


def partial_logout(message: str) -> SamlStatus:
    """Return the LogoutResponse status for a logout that could not end every session."""
    return SamlStatus(STATUS_SUCCESS, STATUS_PARTIAL_LOGOUT, message)
