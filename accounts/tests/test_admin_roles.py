import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import User, UserGroup
from accounts.roles import ADMINISTRATOR, READ_ONLY


@pytest.mark.django_db
def test_data_migration_creates_both_roles_with_permissions():
    administrator = Group.objects.get(name=ADMINISTRATOR)
    read_only = Group.objects.get(name=READ_ONLY)
    assert administrator.permissions.filter(codename="change_user").exists()
    assert read_only.permissions.filter(codename="view_user").exists()
    assert not read_only.permissions.exclude(codename__startswith="view_").exists()


@pytest.mark.django_db
def test_read_only_admin_sees_users_and_groups(read_only_client, user_factory, group_factory):
    user = user_factory(email="seen@example.com")
    group = group_factory(name="Visible")
    assert (
        "seen@example.com" in read_only_client.get(reverse("admin:accounts_user_changelist")).text
    )
    assert (
        read_only_client.get(reverse("admin:accounts_user_change", args=[user.pk])).status_code
        == 200
    )
    assert "Visible" in read_only_client.get(reverse("admin:accounts_usergroup_changelist")).text
    assert (
        read_only_client.get(
            reverse("admin:accounts_usergroup_change", args=[group.pk])
        ).status_code
        == 200
    )


@pytest.mark.django_db
def test_read_only_admin_post_to_change_form_is_refused(read_only_client, user_factory):
    user = user_factory(email="target@example.com", first_name="Before")
    response = read_only_client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "email": "target@example.com",
            "username": user.username,
            "first_name": "After",
            "state": "active",
        },
    )
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.first_name == "Before"


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["admin:accounts_user_add", "admin:accounts_usergroup_add"])
def test_read_only_admin_cannot_add(read_only_client, url_name):
    assert read_only_client.post(reverse(url_name), {"name": "x"}).status_code == 403


@pytest.mark.django_db
def test_read_only_admin_cannot_delete_a_group(read_only_client, group_factory):
    group = group_factory()
    response = read_only_client.post(
        reverse("admin:accounts_usergroup_delete", args=[group.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert UserGroup.objects.filter(pk=group.pk).exists()


@pytest.mark.django_db
def test_read_only_admin_bulk_actions_change_nothing(read_only_client, user_factory):
    user = user_factory()
    response = read_only_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "suspend_users", "_selected_action": [user.pk]},
    )
    user.refresh_from_db()
    assert user.state == User.State.ACTIVE
    assert response.status_code in (200, 302)


@pytest.mark.django_db
def test_administrator_can_change_a_user(admin_client, user_factory):
    user = user_factory(email="target@example.com")
    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "email": "target@example.com",
            "username": user.username,
            "first_name": "After",
            "last_name": "",
            "state": "suspended",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.text[:2000]
    user.refresh_from_db()
    assert (user.first_name, user.state) == ("After", User.State.SUSPENDED)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["admin:index", "admin:accounts_user_changelist"])
def test_end_user_gets_403_and_an_audit_event_in_the_admin_portal(client, user_factory, url_name):
    from sso_apps.models import AuditEvent

    client.force_login(user_factory(email="enduser@example.com"))
    response = client.get(reverse(url_name))
    assert response.status_code == 403
    assert "Access denied" in response.text
    event = AuditEvent.objects.get(action="access.denied")
    assert (event.actor_email, event.outcome) == ("enduser@example.com", "denied")
    assert event.target_label == reverse(url_name)


@pytest.mark.django_db
def test_read_only_refusal_is_audited(read_only_client, user_factory):
    from sso_apps.models import AuditEvent

    user = user_factory()
    read_only_client.post(reverse("admin:accounts_user_change", args=[user.pk]), {})
    assert AuditEvent.objects.filter(
        action="access.denied", actor_email="reader@example.com"
    ).exists()


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_the_admin_sign_in(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.django_db
def test_admin_portal_is_branded_and_grouped_like_the_product(admin_client):
    page = admin_client.get(reverse("admin:index")).text
    assert "Tessera Admin Portal" in page
    assert "User Management" in page
    assert page.index("User Management") < page.index("User groups")
