"""python3-saml as the tester's SP: its settings, and what a Response says."""

from dataclasses import dataclass, field

from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

from sp_tester.conf import TesterSettings
from sp_tester.keys import SpKeyPair

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"


def onelogin_settings(
    *, tester: TesterSettings, keys: SpKeyPair, idp: dict, sign_requests: bool = True
) -> dict:
    """Return python3-saml settings: strict, SHA-256, and this tester as the SP."""
    return {
        "strict": True,
        "debug": False,
        "sp": {
            "entityId": tester.entity_id,
            "assertionConsumerService": {"url": tester.acs_url, "binding": C.BINDING_HTTP_POST},
            "singleLogoutService": {"url": tester.sls_url, "binding": C.BINDING_HTTP_REDIRECT},
            "NameIDFormat": C.NAMEID_EMAIL_ADDRESS,
            "x509cert": keys.certificate_pem,
            "privateKey": keys.private_key_pem,
        },
        "idp": idp,
        "security": {
            "authnRequestsSigned": sign_requests,
            # The IdP requires signed LogoutRequests from an SP whose certificate it has.
            "logoutRequestSigned": True,
            "logoutResponseSigned": True,
            # Either signature is enough; which ones came, and verified, is shown.
            "wantMessagesSigned": False,
            "wantAssertionsSigned": False,
            "signatureAlgorithm": RSA_SHA256,
            "digestAlgorithm": SHA256,
            "rejectDeprecatedAlgorithm": True,
        },
    }


def request_data(request) -> dict:
    """Return python3-saml's view of a Django request (it checks Destination against it)."""
    return {
        "https": "on" if request.is_secure() else "off",
        "http_host": request.get_host(),
        "script_name": request.path,
        "get_data": request.GET.copy(),
        "post_data": request.POST.copy(),
        # Verify Redirect-binding signatures over the bytes the IdP signed.
        "query_string": request.META.get("QUERY_STRING", ""),
        "validate_signature_from_qs": True,
    }


def auth_for(request, settings: dict) -> OneLogin_Saml2_Auth:
    return OneLogin_Saml2_Auth(request_data(request), settings)


@dataclass
class ResponseSummary:
    """What an SP developer wants to see of one Response, valid or not."""

    valid: bool
    error: str = ""
    response_signed: bool = False
    assertion_signed: bool = False
    issuers: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    in_response_to: str = ""
    name_id: str = ""
    name_id_format: str = ""
    authn_contexts: list[str] = field(default_factory=list)
    session_index: str = ""
    session_not_on_or_after: str = ""
    not_before: str = ""
    not_on_or_after: str = ""
    subject_confirmation_not_on_or_after: str = ""
    subject_confirmation_recipient: str = ""
    attributes: dict[str, list[str]] = field(default_factory=dict)


def response_summarize(*, request, settings: dict, request_id: str | None) -> ResponseSummary:
    """Validate the posted SAMLResponse with python3-saml and describe it."""
    auth = auth_for(request, settings)
    encoded = request.POST.get("SAMLResponse", "")
    if not encoded:
        return ResponseSummary(valid=False, error="The POST carries no SAMLResponse.")
    try:
        response = OneLogin_Saml2_Response(auth.get_settings(), encoded)
    except Exception as error:  # noqa: BLE001 - any parse failure is the outcome to show
        return ResponseSummary(valid=False, error=f"The SAMLResponse cannot be read: {error}")
    valid = response.is_valid(request_data(request), request_id, raise_exceptions=False)
    summary = ResponseSummary(valid=bool(valid), error="" if valid else str(response.get_error()))
    _describe(summary, response)
    return summary


def _describe(summary: ResponseSummary, response: OneLogin_Saml2_Response) -> None:
    # Each reader guards itself: an invalid Response may lack any of these parts.
    document = response.document
    summary.response_signed = bool(
        OneLogin_Saml2_XML.query(document, "/samlp:Response/ds:Signature")
    )
    summary.assertion_signed = bool(
        OneLogin_Saml2_XML.query(document, "/samlp:Response/saml:Assertion/ds:Signature")
    )
    readers = {
        "issuers": response.get_issuers,
        "audiences": response.get_audiences,
        "in_response_to": response.get_in_response_to,
        "name_id": response.get_nameid,
        "name_id_format": response.get_nameid_format,
        "authn_contexts": response.get_authn_contexts,
        "session_index": response.get_session_index,
        "attributes": response.get_attributes,
    }
    for name, reader in readers.items():
        try:
            value = reader()
        except Exception:  # noqa: BLE001, S112 - a part an invalid Response lacks stays empty
            continue
        if value is not None:
            setattr(summary, name, value)
    paths = {
        "not_before": ("saml:Conditions", "NotBefore"),
        "not_on_or_after": ("saml:Conditions", "NotOnOrAfter"),
        "session_not_on_or_after": ("saml:AuthnStatement", "SessionNotOnOrAfter"),
        "subject_confirmation_not_on_or_after": (
            "saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData",
            "NotOnOrAfter",
        ),
        "subject_confirmation_recipient": (
            "saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData",
            "Recipient",
        ),
    }
    for name, (path, attribute) in paths.items():
        nodes = OneLogin_Saml2_XML.query(document, f"/samlp:Response/saml:Assertion/{path}")
        if nodes and nodes[0].get(attribute):
            setattr(summary, name, nodes[0].get(attribute))
