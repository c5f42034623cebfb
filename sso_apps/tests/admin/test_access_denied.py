"""A refused admin action is a 403 in the Admin Portal's layout; console 403s stay console."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from portal.views import permission_denied
from sso_apps.models import AuditEvent
from sso_apps.tests.admin.helpers import app_url

pytestmark = pytest.mark.django_db


def template_names(response) -> list[str]:
    return [template.name for template in response.templates]


def test_read_only_admin_refused_an_action_gets_the_admin_403(read_only_client, ready_app):
    response = read_only_client.post(app_url("deactivate", ready_app))

    assert response.status_code == 403
    assert "admin/403.html" in template_names(response)
    page = response.text
    assert "Back to the Admin Portal" in page
    assert f'href="{reverse("admin:index")}"' in page
    assert "Back to the User Console" not in page
    assert "Your role cannot make this change." in page
    # The admin layout: its header and navigation, not the console's.
    assert 'id="site-name"' in page and 'id="nav-sidebar"' in page
    event = AuditEvent.objects.get(action="access.denied")
    assert event.outcome == AuditEvent.Outcome.DENIED
    assert event.target_label == app_url("deactivate", ready_app)
    assert event.details == {"method": "POST"}
    assert event.actor_email == "reader@example.com"


def test_a_signed_in_end_user_at_the_admin_gets_the_console_403(client, user_factory):
    client.force_login(user_factory())

    response = client.get(reverse("admin:index"))

    assert response.status_code == 403
    assert "admin/403.html" not in template_names(response)
    assert "Back to the User Console" in response.text
    assert AuditEvent.objects.filter(action="access.denied").count() == 1


def test_a_staff_users_403_outside_the_admin_stays_console_styled(admin_factory, rf):
    request = rf.get("/userconsole/somewhere/")
    request.user = admin_factory("read_only")

    response = permission_denied(request, PermissionDenied("No."))

    assert response.status_code == 403
    assert b"Back to the User Console" in response.content
    assert b"Back to the Admin Portal" not in response.content


REFERENCE = re.compile(r"<code>(E-[0-9]+)</code>")
AUDIT_LIST = reverse("admin:sso_apps_auditevent_changelist")


def test_the_admin_403_quotes_its_audit_event_and_an_administrator_finds_it(
    read_only_client, administrator, ready_app
):
    response = read_only_client.post(app_url("deactivate", ready_app))

    (reference,) = REFERENCE.findall(response.text)
    event = AuditEvent.objects.get(action="access.denied")
    assert reference == event.reference
    assert f'datetime="{event.created_at.isoformat()}"' in response.text
    other = Client()  # its own: the admin_client fixture shares `client`
    other.force_login(administrator)
    found = other.get(AUDIT_LIST, {"q": reference})
    assert list(found.context["cl"].result_list) == [event]


def test_the_console_403_quotes_its_audit_event(client, user_factory):
    client.force_login(user_factory())

    response = client.get(reverse("admin:index"))

    (reference,) = REFERENCE.findall(response.text)
    assert reference == AuditEvent.objects.get(action="access.denied").reference
    assert "give them this reference" in response.text
