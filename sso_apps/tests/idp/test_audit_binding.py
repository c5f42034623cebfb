"""The sso.login audit event says how the sign-in started: the request's binding, or a launch."""

import pytest
from django.urls import reverse

from sso_apps.models import AuditEvent
from sso_apps.tests.idp.flows import onelogin_sp, response_fields, sso_post, sso_redirect


def _login_event(application):
    return AuditEvent.objects.get(action="sso.login", outcome="success", application=application)


@pytest.mark.django_db
@pytest.mark.parametrize("binding", ["redirect", "post"])
def test_sp_initiated_login_records_the_binding_the_request_came_over(
    client, saml_app_factory, binding
):
    application = saml_app_factory()
    client.force_login(application.authorized_groups.get().members.get())
    sp = onelogin_sp(client, application)
    if binding == "redirect":
        page = sso_redirect(client, sp.login_url()[0])
    else:
        page = sso_post(client, application, sp.post_authn_request()[0])
    response_fields(page)
    assert _login_event(application).binding == binding


@pytest.mark.django_db
def test_idp_initiated_launch_is_recorded_as_such_not_as_a_binding(client, saml_app_factory):
    application = saml_app_factory()
    client.force_login(application.authorized_groups.get().members.get())
    response_fields(client.post(reverse("saml:init", args=[application.idp_suffix])))
    assert _login_event(application).binding == "idp-initiated"
