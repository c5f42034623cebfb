"""A python3-saml SP in strict mode, configured from an IdP's metadata as a vendor would.

Used by every SSO benchmark, Tessera's and stock's alike, to make the AuthnRequests and
to judge sampled Responses with a library that shares no code with either IdP.
"""

import base64
import uuid
import zlib
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"


def sp_metadata_xml(*, entity_id: str, acs_url: str) -> str:
    """Return minimal SP metadata (what an admin pastes into stock djangosaml2idp)."""
    return (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'
        f' entityID="{entity_id}" validUntil="2099-01-01T00:00:00Z">'
        '<md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true"'
        ' protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f"<md:NameIDFormat>{EMAIL}</md:NameIDFormat>"
        f'<md:AssertionConsumerService Binding="{POST}" Location="{acs_url}" index="0"'
        ' isDefault="true"/></md:SPSSODescriptor></md:EntityDescriptor>'
    )


class BenchSp:
    """One SP: makes Redirect AuthnRequests cheaply and validates Responses strictly."""

    def __init__(self, *, idp_metadata_xml: str, entity_id: str, acs_url: str):
        self.entity_id = entity_id
        self.acs_url = acs_url
        idp = OneLogin_Saml2_IdPMetadataParser.parse(idp_metadata_xml)
        self.sso_url = idp["idp"]["singleSignOnService"]["url"]
        self.settings = OneLogin_Saml2_IdPMetadataParser.merge_settings(
            {
                "strict": True,
                "debug": False,
                "sp": {
                    "entityId": entity_id,
                    "assertionConsumerService": {"url": acs_url, "binding": POST},
                    "NameIDFormat": EMAIL,
                },
                "security": {
                    "authnRequestsSigned": False,
                    "wantMessagesSigned": True,
                    "wantAssertionsSigned": True,
                    "signatureAlgorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                    "digestAlgorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
                    "rejectDeprecatedAlgorithm": True,
                },
            },
            idp,
        )
        self.settings["security"]["authnRequestsSigned"] = False

    def login_url(self, relay_state: str = "https://sp.bench.test/home") -> tuple[str, str]:
        """Return (IdP SSO URL with a fresh Redirect AuthnRequest, its ID).

        Built from a string rather than through python3-saml so that the load generator,
        which shares the CPU with the servers, spends as little as possible per request.
        """
        request_id = f"_{uuid.uuid4().hex}"
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        xml = (
            '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"'
            ' xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"'
            f' ID="{request_id}" Version="2.0" IssueInstant="{now}"'
            f' Destination="{self.sso_url}" ProtocolBinding="{POST}"'
            f' AssertionConsumerServiceURL="{self.acs_url}">'
            f"<saml:Issuer>{self.entity_id}</saml:Issuer>"
            f'<samlp:NameIDPolicy Format="{EMAIL}" AllowCreate="true"/>'
            "</samlp:AuthnRequest>"
        )
        deflated = zlib.compress(xml.encode())[2:-4]
        query = urlencode(
            {"SAMLRequest": base64.b64encode(deflated).decode(), "RelayState": relay_state}
        )
        separator = "&" if "?" in self.sso_url else "?"
        return f"{self.sso_url}{separator}{query}", request_id

    def errors(self, fields: dict, request_id: str | None) -> list[str]:
        """Return python3-saml's complaints about a Response (empty: it signs the user in)."""
        parts = urlsplit(self.acs_url)
        auth = OneLogin_Saml2_Auth(
            {
                "https": "on" if parts.scheme == "https" else "off",
                "http_host": parts.netloc,
                "script_name": parts.path,
                "get_data": {},
                "post_data": fields,
            },
            self.settings,
        )
        auth.process_response(request_id=request_id)
        problems = list(auth.get_errors())
        if not problems and not auth.is_authenticated():
            problems.append("not authenticated")
        if problems and auth.get_last_error_reason():
            problems.append(auth.get_last_error_reason())
        return problems
