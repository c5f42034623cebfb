"""A pending SP-initiated login waits through the second step, and nothing is sent before."""

import pytest
from django.urls import reverse

from accounts.tests.mfa.helpers import T0, rfc6238, totp_clock
from console.tests.mfa_helpers import totp_enrolled
from sso_apps.tests.security.attacks import authn_request
from sso_apps.tests.security.endpoints import assert_nothing_sent, send


def _pending(client, application):
    continue_url = reverse("saml:continue", args=[application.idp_suffix])
    accepted = send(
        client, application, endpoint="sso", binding="redirect", xml=authn_request(application)
    )
    assert accepted["Location"] == continue_url
    return continue_url


def _password(client, member, password, continue_url):
    return client.post(
        reverse("console:login"),
        {"email": member.email, "password": password, "next": continue_url},
    )


@pytest.mark.django_db
def test_the_pending_request_is_answered_after_the_code(client, saml_app, member, password):
    device = totp_enrolled(member)
    continue_url = _pending(client, saml_app)
    assert _password(client, member, password, continue_url)["Location"] == reverse(
        "console:mfa_verify"
    )
    # Half signed in: the continue URL still asks for the sign-in and sends nothing.
    early = client.get(continue_url)
    assert early["Location"].startswith(reverse("console:login"))
    assert_nothing_sent(early)
    with totp_clock(T0):
        verified = client.post(reverse("console:mfa_verify"), {"code": rfc6238(device.bin_key, T0)})
    assert verified["Location"] == continue_url
    answered = client.get(continue_url)
    assert answered.status_code == 200
    assert 'name="SAMLResponse"' in answered.text


@pytest.mark.django_db
def test_the_pending_request_is_answered_after_a_forced_enrolment(
    client, saml_app, member, password, group_factory
):
    group_factory(members=[member], mfa_required=True)
    continue_url = _pending(client, saml_app)
    assert _password(client, member, password, continue_url)["Location"] == reverse(
        "console:mfa_setup"
    )
    assert_nothing_sent(client.get(continue_url))
    page = client.get(reverse("console:mfa_setup"))
    import base64

    secret = page.context["secret"].replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    with totp_clock(T0):
        enrolled = client.post(reverse("console:mfa_setup"), {"code": rfc6238(key, T0)})
    codes = client.get(enrolled["Location"])
    assert codes.context["continue_url"] == continue_url
    answered = client.get(continue_url)
    assert 'name="SAMLResponse"' in answered.text
