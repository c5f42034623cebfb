"""ACS URLs that look like the registered one but are not: each must be refused outright.

The registered ACS is https://sp.example.com/acs; matching is exact, byte for byte.
"""

from xml.sax.saxutils import quoteattr

import pytest

from sso_apps.tests.idp.flows import answered
from sso_apps.tests.idp.sp_harness import SP_ACS_URL
from sso_apps.tests.security.attacks import authn_request
from sso_apps.tests.security.endpoints import assert_refused, audit_watermark, send

LOOKALIKES = {
    "default-port": "https://sp.example.com:443/acs",
    "other-port": "https://sp.example.com:8443/acs",
    "trailing-slash": "https://sp.example.com/acs/",
    "trailing-path": "https://sp.example.com/acs/evil",
    "dot-segment": "https://sp.example.com/evil/../acs",
    "encoded-slash": "https://sp.example.com/acs%2F..%2Fevil",
    "userinfo-before-evil-host": "https://sp.example.com@evil.io/acs",
    "userinfo-on-our-host": "https://evil@sp.example.com/acs",
    "backslash": "https://sp.example.com\\@evil.io/acs",
    "host-case": "https://SP.EXAMPLE.COM/acs",
    "path-case": "https://sp.example.com/ACS",
    "scheme-case": "HTTPS://sp.example.com/acs",
    "cyrillic-a": "https://sp.ex\u0430mple.com/acs",
    "punycode": "https://sp.xn--exmple-4nf.com/acs",
    "fullwidth-dot": "https://sp\uff0eexample.com/acs",
    "http": "http://sp.example.com/acs",
    "protocol-relative": "//sp.example.com/acs",
    "suffix-host": "https://sp.example.com.evil.io/acs",
    "prefix-host": "https://evilsp.example.com/acs",
    "trailing-dot-host": "https://sp.example.com./acs",
    "query-string": "https://sp.example.com/acs?next=https://evil.io",
    "fragment": "https://sp.example.com/acs#evil",
    "leading-space": " https://sp.example.com/acs",
    "trailing-space": "https://sp.example.com/acs ",
    "percent-encoded-path": "https://sp.example.com/%61cs",
    "javascript": "javascript:alert(document.domain)//https://sp.example.com/acs",
}


def _with_acs(application, acs_url: str) -> bytes:
    xml = authn_request(application)
    return xml.replace(f'AssertionConsumerServiceURL="{SP_ACS_URL}"'.encode(), b"").replace(
        b"<samlp:AuthnRequest ",
        f"<samlp:AuthnRequest AssertionConsumerServiceURL={quoteattr(acs_url)} ".encode(),
    )


@pytest.fixture
def browser(client, member):
    client.force_login(member)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("binding", ["post", "redirect"])
def test_the_registered_acs_url_itself_is_accepted(browser, saml_app, binding):
    xml = _with_acs(saml_app, SP_ACS_URL)
    assert answered(send(browser, saml_app, endpoint="sso", binding=binding, xml=xml))


@pytest.mark.django_db
@pytest.mark.parametrize("binding", ["post", "redirect"])
@pytest.mark.parametrize("acs_url", LOOKALIKES.values(), ids=LOOKALIKES.keys())
def test_lookalike_acs_url_is_refused(browser, saml_app, binding, acs_url):
    since = audit_watermark()
    response = send(
        browser, saml_app, endpoint="sso", binding=binding, xml=_with_acs(saml_app, acs_url)
    )
    assert_refused(response, saml_app, action="sso.request", since=since)
    assert "is not registered" in response.text
