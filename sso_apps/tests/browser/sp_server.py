"""A small test service provider on 127.0.0.1, built on python3-saml, for browser tests.

Pages: "/" shows "Signed in as EMAIL" (or a "Sign in with Tessera" button that starts
SP-initiated SSO over the Redirect binding); "/acs" consumes Responses; "/logout" starts
SP-initiated Single Logout over the POST binding; "/slo" takes the LogoutResponse, or
the IdP's POSTed LogoutRequest, which ends this SP's session and is answered.
"""

import base64
import html
import secrets
import threading
from http.cookies import SimpleCookie
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

import requests
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.logout_request import OneLogin_Saml2_Logout_Request
from onelogin.saml2.logout_response import OneLogin_Saml2_Logout_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from sso_apps.saml.keys import generate_key_pair

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Test SP</title>
<style>body{{font-family:sans-serif;margin:3rem}}</style></head><body>{body}</body></html>"""


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class TestServiceProvider:
    """Run the SP in a thread; configure it from the IdP metadata URL once that exists."""

    def __init__(self):
        # Its own key pair: it signs its LogoutRequests, as an SP must for Single Logout
        # to end the user's IdP sessions from a cross-site POST.
        self.keys = generate_key_pair(common_name="test-sp")
        self.sessions: dict[str, dict] = {}
        self.settings: dict | None = None
        self.server = make_server("127.0.0.1", 0, self.app, handler_class=_QuietHandler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.last_error = ""
        # The AuthnContextClassRefs of the last assertion accepted, as python3-saml reads them.
        self.last_authn_contexts: list[str] = []
        self.logout_requests: list[str] = []  # NameIDs of the IdP's LogoutRequests accepted

    @property
    def entity_id(self):
        return f"{self.base_url}/metadata"

    @property
    def certificate_pem(self):
        return self.keys.certificate_pem

    @property
    def acs_url(self):
        return f"{self.base_url}/acs"

    @property
    def slo_url(self):
        return f"{self.base_url}/slo"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def configure(self, idp_metadata_url: str):
        """Trust the IdP described at this URL, as a vendor's console would."""
        metadata = requests.get(idp_metadata_url, timeout=10).text
        self.settings = OneLogin_Saml2_IdPMetadataParser.merge_settings(
            {
                "strict": True,
                "sp": {
                    "entityId": self.entity_id,
                    "assertionConsumerService": {
                        "url": self.acs_url,
                        "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                    },
                    "singleLogoutService": {
                        "url": self.slo_url,
                        "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                    },
                    "NameIDFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
                },
                "security": {"wantAssertionsSigned": True, "wantMessagesSigned": True},
            },
            OneLogin_Saml2_IdPMetadataParser.parse(metadata),
        )
        self.settings["security"]["authnRequestsSigned"] = False

    # --- WSGI -------------------------------------------------------------------------
    def app(self, environ, start_response):
        path = environ["PATH_INFO"]
        method = environ["REQUEST_METHOD"]
        form = {}
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = {
                k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()
            }
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        session_id = cookie["sp_session"].value if "sp_session" in cookie else None
        session = self.sessions.get(session_id or "", {})
        request = {
            "https": "off",
            "http_host": environ["HTTP_HOST"],
            "script_name": path,
            "get_data": {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()},
            "post_data": form,
        }
        if path == "/login":
            url = OneLogin_Saml2_Auth(request, self.settings).login(return_to=self.base_url + "/")
            return self._redirect(start_response, url)
        if path == "/acs" and method == "POST":
            auth = OneLogin_Saml2_Auth(request, self.settings)
            auth.process_response()
            if auth.get_errors() or not auth.is_authenticated():
                self.last_error = auth.get_last_error_reason() or ", ".join(auth.get_errors())
                return self._page(
                    start_response,
                    f"<h1>SSO failed</h1><p>{html.escape(self.last_error)}</p>",
                    "403 Forbidden",
                )
            self.last_authn_contexts = auth.get_last_authn_contexts()
            new_id = secrets.token_hex(16)
            self.sessions[new_id] = {
                "email": auth.get_nameid(),
                "attributes": auth.get_attributes(),
            }
            return self._redirect(
                start_response,
                self.base_url + "/",
                [("Set-Cookie", f"sp_session={new_id}; Path=/")],
            )
        if path == "/logout" and session:
            settings = OneLogin_Saml2_Settings(self.settings)
            logout = OneLogin_Saml2_Logout_Request(
                settings,
                name_id=session["email"],
                name_id_format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
            )
            self.sessions.pop(session_id, None)
            signed = OneLogin_Saml2_Utils.add_sign(
                logout.get_xml(),
                self.keys.private_key_pem,
                self.keys.certificate_pem,
                sign_algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                digest_algorithm="http://www.w3.org/2001/04/xmlenc#sha256",
            )
            signed = signed if isinstance(signed, bytes) else signed.encode()
            encoded = base64.b64encode(signed).decode()
            slo = self.settings["idp"]["singleLogoutService"]["url"]
            body = (
                f'<form id="slo" method="post" action="{html.escape(slo)}">'
                f'<input type="hidden" name="SAMLRequest" value="{encoded}">'
                '<button type="submit">Continue sign-out</button></form>'
                "<script>document.getElementById('slo').submit()</script>"
            )
            return self._page(start_response, body)
        if path == "/slo" and "SAMLRequest" in form:
            return self._idp_logout_request(start_response, form["SAMLRequest"])
        if path == "/slo":
            status = "Signed out" if "SAMLResponse" in form else "No logout response"
            return self._page(start_response, f"<h1>{status}</h1>")
        if session:
            body = (
                f"<h1>Signed in as {html.escape(session['email'])}</h1>"
                '<p><a href="/logout">Sign out</a></p>'
            )
        else:
            body = '<h1>Test SP</h1><p><a id="sp-login" href="/login">Sign in with Tessera</a></p>'
        return self._page(start_response, body)

    def _idp_logout_request(self, start_response, encoded: str):
        """End the sessions an IdP's POSTed LogoutRequest names; answer with a signed POST."""
        settings = OneLogin_Saml2_Settings(self.settings)
        xml = base64.b64decode(encoded)
        # python3-saml checks a POSTed LogoutRequest's content but not its enveloped
        # signature, so that is checked here with its own validator and the IdP's certificate.
        signed = OneLogin_Saml2_Utils.validate_sign(
            xml,
            cert=self.settings["idp"]["x509cert"],
            xpath="/samlp:LogoutRequest/ds:Signature",
            raise_exceptions=False,
        )
        # Its wantMessagesSigned looks for a Redirect query signature; the enveloped one
        # was verified just above.
        post_settings = {**self.settings, "security": {**self.settings["security"]}}
        post_settings["security"]["wantMessagesSigned"] = False
        logout = OneLogin_Saml2_Logout_Request(OneLogin_Saml2_Settings(post_settings), encoded)
        request_data = {"https": "off", "http_host": self.base_url[7:], "script_name": "/slo"}
        if not signed or not logout.is_valid(request_data, raise_exceptions=False):
            self.last_error = f"invalid LogoutRequest: {logout.get_error() or 'signature'}"
            return self._page(start_response, "<h1>Bad LogoutRequest</h1>", "400 Bad Request")
        name_id = OneLogin_Saml2_Logout_Request.get_nameid(xml)
        for key in [k for k, v in self.sessions.items() if v["email"] == name_id]:
            self.sessions.pop(key)
        self.logout_requests.append(name_id)
        response = OneLogin_Saml2_Logout_Response(settings)
        response.build(OneLogin_Saml2_Logout_Request.get_id(xml))
        answer = OneLogin_Saml2_Utils.add_sign(
            response.get_xml(),
            self.keys.private_key_pem,
            self.keys.certificate_pem,
            sign_algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            digest_algorithm="http://www.w3.org/2001/04/xmlenc#sha256",
        )
        answer = answer if isinstance(answer, bytes) else answer.encode()
        slo = self.settings["idp"]["singleLogoutService"]["url"]
        body = (
            f'<form id="sls" method="post" action="{html.escape(slo)}">'
            f'<input type="hidden" name="SAMLResponse" value="{base64.b64encode(answer).decode()}">'
            '<button type="submit">Continue</button></form>'
            "<script>document.getElementById('sls').submit()</script>"
        )
        return self._page(start_response, body)

    @staticmethod
    def _page(start_response, body, status="200 OK"):
        start_response(status, [("Content-Type", "text/html; charset=utf-8")])
        return [PAGE.format(body=body).encode()]

    @staticmethod
    def _redirect(start_response, location, headers=()):
        start_response("302 Found", [("Location", location), *headers])
        return [b""]
