"""Messages that carry a count use the language's plural forms, never "1 applications"."""

import pytest
from django.urls import reverse

from sso_apps.models import Application
from sso_apps.services.notifications import applications_phrase
from sso_apps.tests.admin.helpers import app_url
from sso_apps.tests.admin.test_lifecycle import LIST_URL, delete_post


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        (1, "You selected 1 application; enter 1 to delete it."),
        (2, "You selected 2 applications; enter 2 to delete them."),
    ],
)
def test_delete_confirmation_mismatch_is_worded_for_the_count(
    admin_client, application_factory, selected, expected
):
    apps = [application_factory() for _ in range(selected)]

    response = admin_client.post(LIST_URL, delete_post(apps, confirm="7"))

    assert response.status_code == 200
    assert Application.objects.count() == selected
    assert expected in response.text
    assert "1 applications" not in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("checked", "expected"),
    [
        (1, "User Groups saved: 1 group is authorised."),
        (2, "User Groups saved: 2 groups are authorised."),
    ],
)
def test_groups_saved_message_is_worded_for_the_count(
    admin_client, saml_app, group_factory, checked, expected
):
    groups = [group_factory() for _ in range(2)]
    data = {"shown": [g.pk for g in groups], "checked": [g.pk for g in groups[:checked]]}

    response = admin_client.post(app_url("groups", saml_app), data, follow=True)

    assert expected in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("checked", "expected"),
    [
        (1, "Applications saved: this group may use 1 application."),
        (2, "Applications saved: this group may use 2 applications."),
    ],
)
def test_group_applications_saved_message_is_worded_for_the_count(
    admin_client, application_factory, group_factory, checked, expected
):
    group = group_factory()
    apps = [application_factory() for _ in range(2)]
    url = reverse("admin:accounts_usergroup_applications", args=[group.pk])
    data = {"shown": [a.pk for a in apps], "checked": [a.pk for a in apps[:checked]]}

    response = admin_client.post(url, data, follow=True)

    assert expected in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(("count", "expected"), [(1, "Added 1 user to"), (2, "Added 2 users to")])
def test_bulk_add_to_group_message_is_worded_for_the_count(
    admin_client, user_factory, group_factory, count, expected
):
    users = [user_factory() for _ in range(count)]
    group = group_factory(name="Target")
    selection = {"action": "add_to_group", "_selected_action": [u.pk for u in users]}

    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {**selection, "apply": "1", "group": group.pk},
        follow=True,
    )

    assert f"{expected} Target." in response.text


@pytest.mark.parametrize(("count", "expected"), [(1, "1 application"), (3, "3 applications")])
def test_notification_phrase_is_worded_for_the_count(count, expected):
    assert applications_phrase(count) == expected
