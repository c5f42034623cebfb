"""Two independent SPs (python3-saml and pysaml2) that keep their own sessions and do SLO.

Each judges our LogoutRequests with its own library (python3-saml verifies the Redirect
query signature, pysaml2 the enveloped POST signature with the xmlsec1 binary) and ends
its own session only when that library accepts the request.
"""

import base64
import re
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse
from onelogin.saml2.logout_request import OneLogin_Saml2_Logout_Request
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT

from sso_apps.tests.idp.flows import onelogin_sp, response_fields, sso_redirect
from sso_apps.tests.idp.sp_harness import (
    PYSAML2_SLO_URL,
    SP_SLO_URL,
    OneLoginSp,
    path_and_query,
    posted_form,
    pysaml2_client,
)

_SAML_RESPONSE_INPUT = re.compile(r'name="SAMLResponse" value="(?P<value>[^"]+)"')


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@dataclass
class OneLoginSide:
    """python3-saml SP at SP_SLO_URL (HTTP-Redirect), insisting on signed messages."""

    client: object
    application: object
    sp: OneLoginSp = field(init=False)
    sessions: dict[str, str] = field(default_factory=dict)  # SessionIndex -> NameID
    requests_seen: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.sp = onelogin_sp(self.client, self.application, want_messages_signed=True)

    def sign_in(self):
        url, request_id = self.sp.login_url()
        auth = self.sp.acs(response_fields(sso_redirect(self.client, url)), request_id)
        assert auth.get_errors() == [], auth.get_last_error_reason()
        self.sessions[auth.get_session_index()] = auth.get_nameid()
        return auth

    def owns(self, url: str) -> bool:
        return url.startswith(SP_SLO_URL + "?")

    def receive_logout_request(self, url: str, *, answer: bool = True) -> str | None:
        """Let python3-saml process our LogoutRequest; return its LogoutResponse URL."""
        query = query_of(url)
        assert {"SAMLRequest", "SigAlg", "Signature"} <= set(query)
        xml = OneLogin_Saml2_Utils.decode_base64_and_inflate(query["SAMLRequest"])
        self.requests_seen.append(xml.decode() if isinstance(xml, bytes) else xml)
        auth = self.sp._auth(url=SP_SLO_URL, get=query)

        def end_session():
            for index in OneLogin_Saml2_Logout_Request.get_session_indexes(xml):
                self.sessions.pop(index, None)

        back = auth.process_slo(delete_session_cb=end_session)
        assert auth.get_errors() == [], auth.get_last_error_reason()
        return back if answer else None


@dataclass
class Pysaml2Side:
    """pysaml2 SP at PYSAML2_SLO_URL (HTTP-POST), with pysaml2's own identity cache."""

    client: object
    application: object
    name_id: object = None
    requests_seen: list[str] = field(default_factory=list)

    def __post_init__(self):
        metadata = self.client.get(
            reverse("saml:metadata", args=[self.application.idp_suffix])
        ).text
        self.sp = pysaml2_client(metadata)

    def sign_in(self):
        request_id, info = self.sp.prepare_for_authenticate(
            entityid=self.application.saml.idp_entity_id,
            relay_state="/after",
            binding=BINDING_HTTP_REDIRECT,
        )
        location = dict(info["headers"])["Location"]
        fields = response_fields(sso_redirect(self.client, location))
        result = self.sp.parse_authn_request_response(
            fields["SAMLResponse"], BINDING_HTTP_POST, outstanding={request_id: "/after"}
        )
        self.name_id = result.name_id
        assert self.signed_in

    @property
    def signed_in(self) -> bool:
        return self.name_id is not None and self.sp.is_logged_in(self.name_id)

    def owns_page(self, page) -> bool:
        return page.status_code == 200 and f'action="{PYSAML2_SLO_URL}"' in page.text

    def receive_logout_request(self, page, *, name_id=None) -> dict:
        """Let pysaml2 verify and handle our POSTed LogoutRequest; return its answer's form."""
        action, fields = posted_form(page.text)
        assert action == PYSAML2_SLO_URL
        self.requests_seen.append(base64.b64decode(fields["SAMLRequest"]).decode())
        http_args = self.sp.handle_logout_request(
            fields["SAMLRequest"],
            name_id or self.name_id,
            BINDING_HTTP_POST,
            relay_state=fields.get("RelayState"),
        )
        data = http_args["data"]
        if http_args.get("method") == "GET" or not data:
            return {"url": dict(http_args["headers"])["Location"]}
        return {"SAMLResponse": unescape(_SAML_RESPONSE_INPUT.search(data)["value"])}


def deliver_pysaml2_answer(client, application, answer: dict):
    """Bring pysaml2's LogoutResponse back to our SLO endpoint as the browser would."""
    if "url" in answer:
        return client.get(path_and_query(answer["url"]))
    return client.post(reverse("saml:slo", args=[application.idp_suffix]), answer)
