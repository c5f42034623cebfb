"""A minimal unsigned Redirect-binding AuthnRequest that names no ACS URL."""

import base64
import datetime
import uuid
import zlib
from urllib.parse import quote

from django.urls import reverse

from sso_apps.tests.idp.sp_harness import SP_ENTITY_ID


def authn_request_path(application) -> str:
    """Return the SSO path carrying an AuthnRequest that leaves the ACS URL to the IdP."""
    issued = datetime.datetime.now(datetime.UTC)
    xml = (
        "<samlp:AuthnRequest xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol' "
        "xmlns:saml='urn:oasis:names:tc:SAML:2.0:assertion' "
        f"ID='_{uuid.uuid4().hex}' Version='2.0' IssueInstant='{issued:%Y-%m-%dT%H:%M:%SZ}' "
        f"Destination='{application.idp_sso_url}'>"
        f"<saml:Issuer>{SP_ENTITY_ID}</saml:Issuer></samlp:AuthnRequest>"
    )
    encoded = quote(base64.b64encode(zlib.compress(xml.encode())[2:-4]).decode(), safe="")
    return f"{reverse('saml:sso', args=[application.idp_suffix])}?SAMLRequest={encoded}"
