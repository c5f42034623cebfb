"""Independent test service providers (python3-saml and pysaml2) driven through Django's client.

Each SP is configured from our IdP metadata URL, as a vendor would be, and judges our
Responses with its own library: nothing here trusts Tessera's code.
"""

import base64
import re
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlsplit

from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.utils import OneLogin_Saml2_Utils

SP_ENTITY_ID = "https://sp.example.com/metadata"
SP_ACS_URL = "https://sp.example.com/acs"
SP_SLO_URL = "https://sp.example.com/slo"

FORM_FIELD = re.compile(r'<input type="hidden" name="(?P<name>[^"]+)" value="(?P<value>[^"]*)"')
FORM_ACTION = re.compile(r'<form id="saml-post-form" method="post" action="(?P<action>[^"]+)"')


def posted_form(html: str) -> tuple[str, dict[str, str]]:
    """Return (action, fields) of the auto-submitting SAML POST form in a page."""
    action = FORM_ACTION.search(html)
    assert action, "no SAML POST form in the page"
    fields = {m["name"]: unescape(m["value"]) for m in FORM_FIELD.finditer(html)}
    return unescape(action["action"]), fields


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@dataclass
class OneLoginSp:
    """A python3-saml SP in strict mode, trusting whatever our metadata says."""

    idp_metadata_xml: str
    sp_certificate_pem: str = ""
    sp_private_key_pem: str = ""
    sign_requests: bool = False
    want_messages_signed: bool = False
    want_assertions_signed: bool = True
    want_assertions_encrypted: bool = False
    want_attribute_statement: bool = True
    requested_nameid_format: str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
    # python3-saml's own default: PasswordProtectedTransport, exact. False sends none.
    requested_authn_context: bool | list[str] = True
    requested_authn_context_comparison: str = "exact"
    entity_id: str = SP_ENTITY_ID
    acs_url: str = SP_ACS_URL
    settings: dict = field(init=False)

    def __post_init__(self):
        idp = OneLogin_Saml2_IdPMetadataParser.parse(self.idp_metadata_xml)
        self.settings = OneLogin_Saml2_IdPMetadataParser.merge_settings(
            {
                "strict": True,
                "debug": False,
                "sp": {
                    "entityId": self.entity_id,
                    "assertionConsumerService": {
                        "url": self.acs_url,
                        "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                    },
                    "singleLogoutService": {
                        "url": SP_SLO_URL,
                        "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
                    },
                    "NameIDFormat": self.requested_nameid_format,
                    "x509cert": self.sp_certificate_pem,
                    "privateKey": self.sp_private_key_pem,
                },
                "security": {
                    "authnRequestsSigned": self.sign_requests,
                    "logoutRequestSigned": self.sign_requests,
                    "wantMessagesSigned": self.want_messages_signed,
                    "wantAssertionsSigned": self.want_assertions_signed,
                    "wantAssertionsEncrypted": self.want_assertions_encrypted,
                    "wantAttributeStatement": self.want_attribute_statement,
                    "signatureAlgorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                    "digestAlgorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
                    "rejectDeprecatedAlgorithm": True,
                    "requestedAuthnContext": self.requested_authn_context,
                    "requestedAuthnContextComparison": self.requested_authn_context_comparison,
                },
            },
            idp,
        )
        # The IdP's metadata may say it wants signed requests; this SP decides for itself.
        self.settings["security"]["authnRequestsSigned"] = self.sign_requests
        # merge_settings puts the metadata's first NameIDFormat over the SP's own: an SP
        # asks for the format it was set up with.
        self.settings["sp"]["NameIDFormat"] = self.requested_nameid_format

    def _auth(self, *, url: str, post: dict | None = None, get: dict | None = None):
        parts = urlsplit(url)
        return OneLogin_Saml2_Auth(
            {
                "https": "on" if parts.scheme == "https" else "off",
                "http_host": parts.netloc,
                "script_name": parts.path,
                "get_data": get or {},
                "post_data": post or {},
            },
            self.settings,
        )

    def login_url(
        self,
        relay_state: str = "https://sp.example.com/home",
        *,
        force_authn: bool = False,
        is_passive: bool = False,
        set_nameid_policy: bool = True,
    ) -> tuple[str, str]:
        """Return (IdP URL with a Redirect-binding AuthnRequest, its request ID)."""
        auth = self._auth(url=self.acs_url)
        url = auth.login(
            return_to=relay_state,
            force_authn=force_authn,
            is_passive=is_passive,
            set_nameid_policy=set_nameid_policy,
        )
        return url, auth.get_last_request_id()

    def post_authn_request(self) -> tuple[dict, str]:
        """Return (POST-binding form data, request ID), signed with an enveloped signature."""
        from onelogin.saml2.authn_request import OneLogin_Saml2_Authn_Request

        auth = self._auth(url=self.acs_url)
        request = OneLogin_Saml2_Authn_Request(auth.get_settings())
        xml = request.get_xml()
        if self.sign_requests:
            xml = OneLogin_Saml2_Utils.add_sign(
                xml,
                self.sp_private_key_pem,
                self.sp_certificate_pem,
                sign_algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                digest_algorithm="http://www.w3.org/2001/04/xmlenc#sha256",
            )
            xml = xml.decode() if isinstance(xml, bytes) else xml
        return {"SAMLRequest": base64.b64encode(xml.encode()).decode()}, request.get_id()

    def acs(self, fields: dict, request_id: str | None):
        """Consume a Response; return the Auth object (check get_errors/is_authenticated)."""
        auth = self._auth(url=self.acs_url, post=fields)
        auth.process_response(request_id=request_id)
        return auth

    def logout_url(
        self,
        *,
        name_id: str,
        session_index: str | None = None,
        name_id_format: str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    ) -> str:
        auth = self._auth(url=SP_SLO_URL)
        return auth.logout(
            name_id=name_id, session_index=session_index, name_id_format=name_id_format
        )

    def logout_response_url(self, *, in_response_to: str | None) -> str:
        """Return the IdP SLO URL with this SP's Redirect-binding LogoutResponse.

        in_response_to=None sends an unsolicited one (no InResponseTo attribute at all).
        """
        from onelogin.saml2.logout_response import OneLogin_Saml2_Logout_Response

        auth = self._auth(url=SP_SLO_URL)
        settings = auth.get_settings()
        response = OneLogin_Saml2_Logout_Response(settings)
        response.build(in_response_to or "")
        xml = response.get_xml()
        if in_response_to is None:
            xml = xml.replace('InResponseTo=""', "")
        parameters = {"SAMLResponse": OneLogin_Saml2_Utils.deflate_and_base64_encode(xml)}
        if self.sign_requests:
            auth.add_response_signature(parameters)
        return OneLogin_Saml2_Utils.redirect(settings.get_idp_slo_url(), parameters)

    def process_logout_response(self, *, url: str):
        from urllib.parse import parse_qs

        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        auth = self._auth(url=SP_SLO_URL, get=query)
        auth.process_slo(keep_local_session=True)
        return auth


PYSAML2_SP_ENTITY_ID = "https://pysaml2-sp.example.com/metadata"
PYSAML2_ACS_URL = "https://pysaml2-sp.example.com/acs"
PYSAML2_SLO_URL = "https://pysaml2-sp.example.com/slo"


def pysaml2_client(
    idp_metadata_xml: str,
    *,
    want_response_signed=True,
    want_assertions_signed=True,
    key_file: str | None = None,
    cert_file: str | None = None,
    acs_urls: tuple[str, ...] = (PYSAML2_ACS_URL,),
):
    """Return pysaml2's Saml2Client configured from our IdP metadata.

    It keeps pysaml2's stock crypto (the xmlsec1 binary), so it verifies our signatures
    with code that shares nothing with our in-process signer.
    """
    import shutil

    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.client import Saml2Client
    from saml2.config import SPConfig

    binary = shutil.which("xmlsec1")
    assert binary, "the pysaml2 interop tests need the xmlsec1 binary (apt-get install xmlsec1)"
    keys = {}
    if key_file and cert_file:
        # Signs AuthnRequests and decrypts encrypted assertions.
        keys = {
            "key_file": key_file,
            "cert_file": cert_file,
            "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}],
        }
    config = SPConfig()
    config.load(
        {
            **keys,
            "entityid": PYSAML2_SP_ENTITY_ID,
            "xmlsec_binary": binary,
            "metadata": {"inline": [idp_metadata_xml]},
            "allow_unknown_attributes": True,
            "service": {
                "sp": {
                    "endpoints": {
                        "assertion_consumer_service": [
                            (url, BINDING_HTTP_POST) for url in acs_urls
                        ],
                        "single_logout_service": [(PYSAML2_SLO_URL, BINDING_HTTP_REDIRECT)],
                    },
                    "want_response_signed": want_response_signed,
                    "want_assertions_signed": want_assertions_signed,
                    "allow_unsolicited": True,
                    "authn_requests_signed": False,
                    "name_id_format": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
                }
            },
        }
    )
    return Saml2Client(config=config)
