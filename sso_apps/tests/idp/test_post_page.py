"""The SAML POST page filled from its once-rendered shape equals a full template render."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils.csp import LazyNonce

from sso_apps.idp import post_page
from sso_apps.tests.idp.flows import response_fields

TEMPLATE = "sso_apps/saml/post_form.html"
HOSTILE = [
    "https://sp.example.com/acs",
    'https://sp.example.com/acs?a=1&b="2"',
    "https://sp.example.com/'><script>alert(1)</script>",
    "tesseraslot0000",  # looks like a token, is only a value
]


def _request():
    # As ContentSecurityPolicyMiddleware leaves it: a nonce made when first read.
    request = RequestFactory().get("/")
    request._csp_nonce = LazyNonce()
    return request


def _full_render(*, label, context, nonce):
    # What djangosaml2idp's render_login_html_to_string gave, minus queued messages.
    return render_to_string(
        TEMPLATE, {**context, "application": {"display_label": label}, "csp_nonce": nonce}
    )


@pytest.mark.parametrize("destination", HOSTILE)
@pytest.mark.parametrize("relay_state", ["", "/after?x=1&y=<2>", '"quoted"', "ok"])
@pytest.mark.parametrize("label", ["Slack", "Ops <b>\"&' tools"])
def test_filled_page_equals_a_full_render(destination, relay_state, label):
    request = _request()
    context = {
        "acs_url": destination,
        "saml_parameter": "SAMLResponse",
        "saml_response": "PHNhbWxwOlJlc3BvbnNlLz4=",
        "relay_state": relay_state,
    }
    page = post_page.post_page_render(
        http_request=request, template_name=TEMPLATE, label=label, context=context
    )
    nonce = str(request._csp_nonce)
    assert page == _full_render(label=label, context=context, nonce=nonce)
    assert "<script>alert" not in page
    assert "tesseraslot" not in page.replace("tesseraslot0000", "")


def test_each_request_gets_its_own_nonce_and_the_shape_is_reused():
    post_page._shape.cache_clear()
    context = {"acs_url": "https://sp.example.com/acs", "saml_response": "eA==", "relay_state": ""}
    first, second = _request(), _request()
    page_one = post_page.post_page_render(
        http_request=first, template_name=TEMPLATE, label="Slack", context=context
    )
    page_two = post_page.post_page_render(
        http_request=second, template_name=TEMPLATE, label="Slack", context=context
    )
    assert str(first._csp_nonce) != str(second._csp_nonce)
    assert f'nonce="{first._csp_nonce}"' in page_one
    assert f'nonce="{second._csp_nonce}"' in page_two
    assert post_page._shape.cache_info().misses == 1


@pytest.mark.django_db
def test_the_sso_page_script_nonce_is_the_one_in_the_policy(client, saml_app, member):
    client.force_login(member)
    page = client.post(reverse("saml:init", args=[saml_app.idp_suffix]))
    assert page.status_code == 200
    nonce = re.search(r'<script nonce="([^"]+)">', page.content.decode())[1]
    assert f"'nonce-{nonce}'" in page["Content-Security-Policy"]
    assert response_fields(page)["SAMLResponse"]
