"""Replays, races, and state that changes under a sign-in: nothing may be sent.

The plain Redirect replay of an AuthnRequest is sso_apps/tests/idp/test_refusals.py
test_replayed_request_id_is_refused; a user suspended before the request arrives is
test_suspended_or_staged_user_gets_403_and_no_response there.
"""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts import services as account_services
from accounts.models import User
from sso_apps.models import AuditEvent
from sso_apps.services import applications as app_services
from sso_apps.tests.idp.flows import answered
from sso_apps.tests.security.attacks import (
    authn_request,
    logout_request,
    sign_enveloped,
    signed_redirect_query,
)
from sso_apps.tests.security.endpoints import (
    assert_nothing_sent,
    assert_refused,
    audit_watermark,
    get_query,
    post_message,
    send,
)


@pytest.mark.django_db
@pytest.mark.parametrize("binding", ["post", "redirect"])
def test_a_replayed_authn_request_is_refused(client, saml_app, member, binding):
    client.force_login(member)
    xml = authn_request(saml_app)
    assert answered(send(client, saml_app, endpoint="sso", binding=binding, xml=xml))
    since = audit_watermark()
    response = send(client, saml_app, endpoint="sso", binding=binding, xml=xml)
    assert_refused(response, saml_app, action="sso.request", since=since)
    assert "already used" in response.text


@pytest.mark.django_db
def test_a_replayed_signed_request_is_refused_on_the_other_binding(
    client, signed_app, signed_member, sp_keys
):
    client.force_login(signed_member)
    xml = authn_request(signed_app)
    first = get_query(client, signed_app, "sso", signed_redirect_query(xml, sp_keys))
    assert answered(first)
    since = audit_watermark()
    response = post_message(client, signed_app, "sso", sign_enveloped(xml, sp_keys))
    assert_refused(response, signed_app, action="sso.request", since=since)


@pytest.mark.django_db
@pytest.mark.parametrize("binding", ["post", "redirect"])
def test_a_replayed_logout_request_is_refused(
    client, signed_app, signed_member, sp_keys, signed_in_via_sso, binding
):
    xml = logout_request(signed_app, name_id=signed_member.email, session_index=signed_in_via_sso)

    def sent():
        if binding == "post":
            return post_message(client, signed_app, "slo", sign_enveloped(xml, sp_keys))
        return get_query(client, signed_app, "slo", signed_redirect_query(xml, sp_keys))

    assert sent().status_code == 302
    client.force_login(signed_member)  # signed in again; the replay must not end this session
    since = audit_watermark()
    assert_refused(sent(), signed_app, action="sso.logout", since=since)
    assert "_auth_user_id" in client.session


@pytest.mark.django_db(transaction=True)
def test_two_threads_racing_one_request_id_let_exactly_one_through(saml_app, member):
    xml = authn_request(saml_app)
    barrier = threading.Barrier(2)
    statuses = []

    def race():
        try:
            browser = Client()
            browser.force_login(member)
            barrier.wait(timeout=10)
            statuses.append(send(browser, saml_app, endpoint="sso", binding="post", xml=xml))
        finally:
            connection.close()  # each thread has its own DB connection; give it back

    threads = [threading.Thread(target=race) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(response.status_code for response in statuses) == [200, 400]
    assert answered(next(response for response in statuses if response.status_code == 200))
    loser = next(response for response in statuses if response.status_code == 400)
    assert_nothing_sent(loser)
    assert "already used" in loser.text
    assert AuditEvent.objects.filter(
        application_id=saml_app.pk, action="sso.request", outcome="failure"
    ).exists()


def _pending_then_sign_in(client, application, member, password, change):
    """Leave an accepted AuthnRequest waiting, apply change(), then sign in with the form."""
    continue_url = reverse("saml:continue", args=[application.idp_suffix])
    # Redirect: a cookieless POST would first get the same-site re-post page (hole 7).
    accepted = send(
        client, application, endpoint="sso", binding="redirect", xml=authn_request(application)
    )
    assert accepted["Location"] == continue_url
    assert client.get(continue_url)["Location"].startswith(reverse("console:login"))
    change()
    signed_in = client.post(
        reverse("console:login"),
        {"email": member.email, "password": password, "next": continue_url},
    )
    assert signed_in["Location"] == continue_url
    return client.get(continue_url)


@pytest.mark.django_db
def test_an_app_deactivated_while_a_login_is_pending_sends_nothing(
    client, saml_app, member, password
):
    since = audit_watermark()
    response = _pending_then_sign_in(
        client,
        saml_app,
        member,
        password,
        lambda: app_services.application_sso_deactivate(application=saml_app),
    )
    assert response.status_code == 403
    assert_nothing_sent(response)
    assert AuditEvent.objects.filter(
        pk__gt=since, application_id=saml_app.pk, action="sso.login", outcome="denied"
    ).exists()


@pytest.mark.django_db
def test_an_app_deleted_while_a_login_is_pending_sends_nothing(client, saml_app, member, password):
    since = audit_watermark()
    response = _pending_then_sign_in(
        client,
        saml_app,
        member,
        password,
        lambda: app_services.applications_delete(applications=[saml_app], confirmation_count=1),
    )
    assert response.status_code == 404
    assert_nothing_sent(response)
    assert not AuditEvent.objects.filter(pk__gt=since, action="sso.login").exists()
    assert AuditEvent.objects.filter(pk__gt=since, action="application.delete").exists()


def _suspend(user):
    account_services.user_suspend(user=user)


def _remove_from_groups(user):
    for group in user.user_groups.all():
        account_services.group_members_remove(group=group, users=[user])


@pytest.mark.django_db
@pytest.mark.parametrize("change", [_suspend, _remove_from_groups], ids=["suspended", "ungrouped"])
def test_a_user_changed_while_signed_in_gets_403_and_nothing(client, saml_app, member, change):
    client.force_login(member)
    continue_url = reverse("saml:continue", args=[saml_app.idp_suffix])
    before = send(client, saml_app, endpoint="sso", binding="redirect", xml=authn_request(saml_app))
    assert answered(before)
    change(User.objects.get(pk=member.pk))
    since = audit_watermark()
    sso = send(client, saml_app, endpoint="sso", binding="redirect", xml=authn_request(saml_app))
    if sso.status_code == 302:
        # Suspended: the session no longer signs anyone in, so the request waits for a
        # sign-in at /continue, which refuses the suspended account.
        assert sso["Location"] == continue_url
        sso = client.get(continue_url)
    for response in (
        sso,
        client.get(reverse("saml:init", args=[saml_app.idp_suffix])),
        client.post(reverse("saml:init", args=[saml_app.idp_suffix])),
    ):
        assert response.status_code == 403
        assert_nothing_sent(response)
    denied = AuditEvent.objects.filter(
        pk__gt=since, application_id=saml_app.pk, action="sso.login", outcome="denied"
    )
    assert denied.count() == 3
    assert not AuditEvent.objects.filter(pk__gt=since, outcome="success").exists()


@pytest.mark.django_db
def test_a_fresh_request_after_the_user_was_ungrouped_sends_nothing(client, saml_app, member):
    client.force_login(member)
    _remove_from_groups(member)
    since = audit_watermark()
    # Answered, with the 403, on the first request.
    response = send(client, saml_app, endpoint="sso", binding="post", xml=authn_request(saml_app))
    assert response.status_code == 403
    assert_nothing_sent(response)
    assert AuditEvent.objects.filter(pk__gt=since, action="sso.login", outcome="denied").exists()
