"""The index's Recent actions come from the audit trail: the admin's own changes, linked."""

import pytest
from django.urls import reverse

from sso_apps.models import AuditEvent
from sso_apps.services.audit import audit_record
from sso_apps.tests.admin.helpers import app_url
from sso_apps.tests.admin.test_details_tab import change_url, details_post
from sso_apps.tests.admin.test_lifecycle import LIST_URL, delete_post

pytestmark = pytest.mark.django_db
INDEX = reverse("admin:index")


def recent_box(page: str) -> str:
    start = page.index('id="recent-actions-module"')
    return page[start : page.index("</div>", start)]


def test_six_audited_changes_are_listed_newest_first_with_links(
    admin_client, ready_app, application_factory, group_factory
):
    doomed = application_factory(display_label="Doomed")
    admin_client.post(app_url("activate", ready_app))
    admin_client.post(app_url("deactivate", ready_app))
    group = group_factory()
    admin_client.post(app_url("groups", ready_app), {"shown": [group.pk], "checked": [group.pk]})
    admin_client.post(change_url(ready_app), details_post(ready_app, description="New"))
    admin_client.post(app_url("activate", ready_app))
    admin_client.post(LIST_URL, delete_post([doomed], confirm="1"))

    box = recent_box(admin_client.get(INDEX).text)

    assert "None available" not in box
    lines = [
        "Deleted",
        "Activated SSO for",
        "Changed details of",
        "Changed user groups of",
        "Deactivated SSO for",
        "Activated SSO for",
    ]
    at = 0
    for verb in lines:  # each found after the one before: newest first
        at = box.index(verb, at) + len(verb)
    # The app still exists: linked. The deleted one: its label, no link.
    assert f'<a href="{change_url(ready_app)}">Ready App</a>' in box
    assert "<span>Doomed</span>" in box
    assert box.count('class="deletelink"') == 1


def test_only_the_signed_in_admins_own_changes_are_shown(admin_client, admin_factory, ready_app):
    other = admin_factory(email="other@example.com")
    audit_record(action="application.update", actor=other, target=ready_app)

    box = recent_box(admin_client.get(INDEX).text)

    assert "None available" in box


def test_sign_ins_refusals_and_failures_are_not_actions(admin_client, administrator, ready_app):
    audit_record(action="sso.login", actor=administrator, target=ready_app)
    audit_record(action="access.denied", actor=administrator, outcome=AuditEvent.Outcome.DENIED)
    audit_record(
        action="application.activate",
        actor=administrator,
        target=ready_app,
        outcome=AuditEvent.Outcome.FAILURE,
    )

    box = recent_box(admin_client.get(INDEX).text)

    assert "None available" in box


def test_at_most_ten_and_the_box_links_the_full_trail(admin_client, administrator, ready_app):
    for _ in range(12):
        audit_record(action="application.update", actor=administrator, target=ready_app)

    box = recent_box(admin_client.get(INDEX).text)

    assert box.count("Changed details of") == 10
    assert reverse("admin:sso_apps_auditevent_changelist") in box


def test_recent_actions_cost_a_fixed_number_of_queries(
    admin_client, administrator, application_factory, django_assert_max_num_queries
):
    for _ in range(10):
        audit_record(action="application.update", actor=administrator, target=application_factory())
    admin_client.get(INDEX)

    # Session, user, notification count, the app list, the events and one existence check.
    with django_assert_max_num_queries(12):
        admin_client.get(INDEX)


def test_a_hostile_target_type_is_shown_without_a_link(admin_client, administrator):
    AuditEvent.objects.create(
        action="application.update",
        actor=administrator,
        actor_email=administrator.email,
        target_type="not.a_model<script>",
        target_id="1",
        target_label="<b>x</b>",
    )

    box = recent_box(admin_client.get(INDEX).text)

    assert "&lt;b&gt;x&lt;/b&gt;" in box
    assert "<script>" not in box
