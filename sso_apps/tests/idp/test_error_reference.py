"""A refused or denied sign-in shows a time and a reference the admin finds in the audit log."""

import re

import pytest
from django.urls import reverse
from django.utils.timezone import localtime

from sso_apps.models import AuditEvent
from sso_apps.tests.idp.flows import onelogin_sp, sso_redirect
from sso_apps.tests.idp.test_refusals import assert_refused, authn_request, redirect_path

AUDIT_LIST = reverse("admin:sso_apps_auditevent_changelist")
REFERENCE = re.compile(r"<code>(E-[0-9]+)</code>")


@pytest.fixture
def refused(client, saml_app, member):
    """Sign in and send an AuthnRequest from the wrong issuer; return the refusal."""
    client.force_login(member)
    xml = authn_request(saml_app, issuer="https://evil.example.com/sp")
    response = client.get(redirect_path(saml_app, xml))
    assert_refused(response, "is not this application")
    client.logout()
    return response


@pytest.fixture
def denied(client, saml_app, user_factory):
    """A signed-in user outside the app's groups starts an SP login: the implicit-deny 403."""
    client.force_login(user_factory(email="outsider@example.com"))
    url, _ = onelogin_sp(client, saml_app).login_url()
    response = sso_redirect(client, url)
    assert response.status_code == 403
    assert "You do not have access to Test SP" in response.text
    client.logout()
    return response


@pytest.mark.django_db
def test_the_error_page_shows_the_audit_events_reference_and_time(refused):
    event = AuditEvent.objects.get(action="sso.request")

    assert REFERENCE.findall(refused.text) == [event.reference]
    assert event.reference == f"E-{event.pk}"
    shown = localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S")
    assert shown in refused.text
    assert f'datetime="{localtime(event.created_at).isoformat()}"' in refused.text


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["{ref}", " {ref} ", "{ref_lower}", "{pk}"])
def test_the_admin_finds_the_event_by_its_reference(refused, admin_client, typed):
    event = AuditEvent.objects.get(action="sso.request")
    term = typed.format(ref=event.reference, ref_lower=event.reference.lower(), pk=event.pk)

    response = admin_client.get(AUDIT_LIST, {"q": term})

    assert event in response.context["cl"].result_list
    assert event.reference in response.text


@pytest.mark.django_db
def test_a_reference_finds_only_its_event(refused, admin_client):
    event = AuditEvent.objects.get(action="sso.request")

    response = admin_client.get(AUDIT_LIST, {"q": event.reference})

    assert list(response.context["cl"].result_list) == [event]


@pytest.mark.django_db
def test_the_deny_page_shows_the_denied_events_reference_and_time(denied):
    event = AuditEvent.objects.get(action="sso.login", outcome=AuditEvent.Outcome.DENIED)

    assert REFERENCE.findall(denied.text) == [event.reference]
    assert event.actor_email == "outsider@example.com"
    shown = localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S")
    assert shown in denied.text
    assert f'datetime="{localtime(event.created_at).isoformat()}"' in denied.text
    assert "give them this reference" in denied.text


@pytest.mark.django_db
def test_the_admin_finds_the_denied_event_by_the_pages_reference(denied, admin_client):
    (reference,) = REFERENCE.findall(denied.text)

    response = admin_client.get(AUDIT_LIST, {"q": reference})

    event = AuditEvent.objects.get(action="sso.login", outcome=AuditEvent.Outcome.DENIED)
    assert list(response.context["cl"].result_list) == [event]


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["E-", "E-99999999999999999999999", "E-1;drop", "-1", "E--1"])
def test_a_hostile_reference_is_a_plain_text_search(admin_client, term):
    response = admin_client.get(AUDIT_LIST, {"q": term})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
