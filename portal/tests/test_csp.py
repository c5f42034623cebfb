"""The policy's building blocks: the auto-POST form-action source, and no inline code."""

import re
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from sso_apps.idp.csp import csp_for_post_form, form_action_source

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://sp.example.com/acs", "https://sp.example.com/acs"),
        ("https://SP.Example.com:8443/saml/acs?x=1#f", "https://sp.example.com:8443/saml/acs"),
        ("http://127.0.0.1:9000/acs", "http://127.0.0.1:9000/acs"),
        ("https://sp.example.com", "https://sp.example.com/"),
        ("https://[2001:db8::1]/acs", "https://[2001:db8::1]/acs"),
        ("https://bücher.example/acs", "https://xn--bcher-kva.example/acs"),
        # Separators of the CSP grammar never reach the header unescaped.
        ("https://sp.example.com/a;script-src *", "https://sp.example.com/a%3Bscript-src%20*"),
        ("https://sp.example.com/a,b", "https://sp.example.com/a%2Cb"),
        ("https://user:pw@sp.example.com/acs", "https://sp.example.com/acs"),
        # Anything but an http(s) URL with a host gets a form that cannot post at all.
        ("javascript:alert(document.domain)", "'none'"),
        ("JAVASCRIPT:alert(1)", "'none'"),
        ("data:text/html,<script>alert(1)</script>", "'none'"),
        ("//sp.example.com/acs", "'none'"),
        ("/acs", "'none'"),
        ("", "'none'"),
        ("https://sp.example.com:99999/acs", "'none'"),
        ("https://sp_example;com/acs", "'none'"),
        ("https://sp.example.com\r\nSet-Cookie: x=1/acs", "'none'"),
    ],
)
def test_form_action_source_is_exactly_the_destination_or_none(url, source):
    assert form_action_source(url) == source
    assert not re.search(r"[\s;,]", source.replace("'none'", ""))


def test_post_form_policy_changes_only_form_action(settings):
    response = csp_for_post_form(HttpResponse(), "https://sp.example.com/acs")
    assert response._csp_config == {
        **settings.SECURE_CSP,
        "form-action": ["https://sp.example.com/acs"],
    }
    assert settings.SECURE_CSP["form-action"] == ["'self'"]


def test_post_form_extra_sources_follow_the_destination_but_never_rescue_a_bad_one(settings):
    settings.TESSERA_CSP_POST_FORM_EXTRA_SOURCES = ["https:"]
    good = csp_for_post_form(HttpResponse(), "https://sp.example.com/acs")
    assert good._csp_config["form-action"] == ["https://sp.example.com/acs", "https:"]
    bad = csp_for_post_form(HttpResponse(), "javascript:alert(1)")
    assert bad._csp_config["form-action"] == ["'none'"]


def test_post_form_policy_reaches_the_header(settings):
    from django.middleware.csp import ContentSecurityPolicyMiddleware

    page = csp_for_post_form(HttpResponse(), "javascript:alert(1)")
    header = ContentSecurityPolicyMiddleware(lambda request: page)(RequestFactory().get("/"))[
        "Content-Security-Policy"
    ]
    assert "form-action 'none'" in header and "frame-ancestors 'none'" in header


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\bnonce=\"\{\{ csp_nonce \}\}\")")
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[a-z][^>]*\sstyle\s*=|<style\b(?![^>]*nonce)", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|action|src)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def _sources():
    for folder in ("templates", "sso_apps", "accounts", "portal", "sp_tester"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in {".html", ".py"} and "tests" not in path.parts:
                yield path


@pytest.mark.parametrize(
    "pattern", [INLINE_SCRIPT, INLINE_HANDLER, INLINE_STYLE, JAVASCRIPT_URL], ids=str
)
def test_no_template_or_html_builder_relies_on_what_the_policy_refuses(pattern):
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in _sources()
        for match in pattern.finditer(path.read_text())
    ]
    assert offenders == []
