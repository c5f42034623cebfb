"""Hole 2 of issue 9: no role can grant itself more rights, through the admin or the service."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts import services
from accounts.models import User
from accounts.roles import ADMINISTRATOR, READ_ONLY
from accounts.tests.factories import DEFAULT_PASSWORD
from sso_apps.models import AuditEvent


def _change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def _form(user, **extra):
    """Return the change form's POST data for the user's current values, plus extra."""
    return {
        "email": user.email,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "state": user.state,
        **extra,
    }


def _roles(user):
    user = User.objects.get(pk=user.pk)
    return (
        user.is_superuser,
        user.is_staff,
        set(user.groups.values_list("name", flat=True)),
        set(user.user_permissions.values_list("codename", flat=True)),
    )


def _refusals(**filters):
    return AuditEvent.objects.filter(
        action="user.change_refused", outcome=AuditEvent.Outcome.DENIED, **filters
    )


@pytest.fixture
def superuser(user_factory):
    return user_factory(email="su@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def powerful_group(db):
    """Return a role holding auth permissions, which the Administrator role does not have."""
    group = Group.objects.create(name="Auth managers")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="auth"))
    return group


def _tampered_roles(powerful_group):
    permission = Permission.objects.get(codename="change_group")
    return {
        "is_superuser": {"is_superuser": "on"},
        "user_permissions": {"user_permissions": [permission.pk]},
        "groups": {"groups": [powerful_group.pk, Group.objects.get(name=ADMINISTRATOR).pk]},
    }


ROLE_TAMPERS = ["is_superuser", "user_permissions", "groups"]


@pytest.mark.django_db
@pytest.mark.parametrize("tamper", ROLE_TAMPERS)
def test_administrator_posting_roles_on_own_form_changes_nothing(
    admin_client, administrator, powerful_group, tamper
):
    before = _roles(administrator)
    data = _form(administrator, is_staff="on", **_tampered_roles(powerful_group)[tamper])
    response = admin_client.post(_change_url(administrator), data)
    assert response.status_code == 403
    assert _roles(administrator) == before
    assert _refusals(actor_email=administrator.email, target_id=str(administrator.pk)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("tamper", ["is_superuser", "user_permissions"])
def test_administrator_cannot_give_another_user_superuser_or_permissions(
    admin_client, administrator, user_factory, powerful_group, tamper
):
    target = user_factory(email="target@example.com")
    before = _roles(target)
    data = _form(target, **_tampered_roles(powerful_group)[tamper])
    response = admin_client.post(_change_url(target), data)
    assert response.status_code == 403
    assert _roles(target) == before
    assert _refusals(actor_email=administrator.email, target_id=str(target.pk)).exists()


@pytest.mark.django_db
def test_administrator_may_still_edit_own_name(admin_client, administrator):
    before = _roles(administrator)
    response = admin_client.post(_change_url(administrator), _form(administrator, first_name="Me"))
    assert response.status_code == 302, response.text[:2000]
    administrator.refresh_from_db()
    assert administrator.first_name == "Me"
    assert _roles(administrator) == before


@pytest.mark.django_db
def test_role_fields_the_actor_may_not_change_are_not_inputs(
    admin_client, administrator, user_factory
):
    own = admin_client.get(_change_url(administrator)).text
    other = admin_client.get(_change_url(user_factory())).text
    for field in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert f'name="{field}"' not in own
    assert 'name="is_superuser"' not in other and 'name="user_permissions"' not in other
    assert 'name="is_staff"' in other and 'name="groups"' in other


@pytest.mark.django_db
def test_administrator_assigns_read_only_to_another_user_and_it_is_audited(
    admin_client, administrator, user_factory
):
    target = user_factory(email="target@example.com")
    read_only = Group.objects.get(name=READ_ONLY)
    response = admin_client.post(
        _change_url(target), _form(target, is_staff="on", groups=[read_only.pk])
    )
    assert response.status_code == 302, response.text[:2000]
    assert _roles(target) == (False, True, {READ_ONLY}, set())
    event = AuditEvent.objects.get(action="user.roles_change")
    assert (event.actor_email, event.target_id) == (administrator.email, str(target.pk))
    assert event.details == {
        "before": {"is_superuser": False, "is_staff": False, "groups": [], "user_permissions": []},
        "after": {
            "is_superuser": False,
            "is_staff": True,
            "groups": [READ_ONLY],
            "user_permissions": [],
        },
    }


@pytest.mark.django_db
def test_administrator_cannot_grant_a_role_with_more_rights_than_its_own(
    admin_client, administrator, user_factory, powerful_group
):
    target = user_factory(email="target@example.com")
    response = admin_client.post(
        _change_url(target), _form(target, is_staff="on", groups=[powerful_group.pk])
    )
    assert response.status_code == 200
    assert "permissions you do not hold" in response.text
    assert _roles(target) == (False, False, set(), set())
    assert _refusals(target_id=str(target.pk)).exists()
    assert not AuditEvent.objects.filter(action="user.roles_change").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "url_name",
    [
        "admin:accounts_user_change",
        "admin:auth_user_password_change",
        "admin:accounts_user_history",
    ],
)
def test_administrator_cannot_open_or_post_a_superusers_pages(
    admin_client, administrator, superuser, url_name, method
):
    data = {"password1": "x-New-pass-9876!", "password2": "x-New-pass-9876!", "first_name": "X"}
    response = getattr(admin_client, method)(reverse(url_name, args=[superuser.pk]), data)
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.check_password(DEFAULT_PASSWORD) and superuser.first_name != "X"
    assert AuditEvent.objects.filter(action="access.denied", actor_email=administrator.email)
    assert _refusals(target_id=str(superuser.pk)).exists()


@pytest.mark.django_db
def test_administrator_cannot_delete_a_superuser(admin_client, superuser):
    response = admin_client.post(
        reverse("admin:accounts_user_delete", args=[superuser.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [superuser.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert User.objects.filter(pk=superuser.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "start"), [("suspend_users", "active"), ("activate_users", "suspended")]
)
def test_bulk_state_actions_skip_superusers_for_an_administrator(
    admin_client, user_factory, action, start
):
    protected = user_factory(email="su2@example.com", is_superuser=True, state=start)
    plain = user_factory(email="plain@example.com", state=start)
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": action, "_selected_action": [protected.pk, plain.pk]},
        follow=True,
    )
    protected.refresh_from_db()
    plain.refresh_from_db()
    assert protected.state == start and plain.state != start
    assert "Skipped 1 superuser" in response.text
    assert _refusals(target_id=str(protected.pk)).exists()


@pytest.mark.django_db
def test_bulk_add_to_group_skips_superusers_for_an_administrator(
    admin_client, user_factory, group_factory
):
    protected = user_factory(email="su2@example.com", is_superuser=True)
    plain = user_factory(email="plain@example.com")
    group = group_factory(name="Target")
    admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "add_to_group",
            "_selected_action": [protected.pk, plain.pk],
            "apply": "1",
            "group": group.pk,
        },
    )
    assert list(group.members.all()) == [plain]
    assert _refusals(target_id=str(protected.pk)).exists()


@pytest.mark.django_db
def test_superuser_can_grant_superuser_to_another_user_and_it_is_audited(
    superuser_client, superuser, user_factory
):
    target = user_factory(email="target@example.com")
    response = superuser_client.post(
        _change_url(target), _form(target, is_staff="on", is_superuser="on")
    )
    assert response.status_code == 302, response.text[:2000]
    assert _roles(target) == (True, True, set(), set())
    event = AuditEvent.objects.get(action="user.roles_change")
    assert event.actor_email == superuser.email
    assert (event.details["before"]["is_superuser"], event.details["after"]["is_superuser"]) == (
        False,
        True,
    )


@pytest.mark.django_db
def test_superuser_cannot_change_own_roles(superuser_client, superuser):
    administrator = Group.objects.get(name=ADMINISTRATOR)
    response = superuser_client.post(
        _change_url(superuser), _form(superuser, groups=[administrator.pk])
    )
    assert response.status_code == 403
    # The form shows no role inputs, so a plain save leaves is_superuser/is_staff set.
    response = superuser_client.post(_change_url(superuser), _form(superuser, first_name="Su"))
    assert response.status_code == 302, response.text[:2000]
    assert _roles(superuser) == (True, True, set(), set())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor_kind", "target_kind", "change"),
    [
        ("administrator", "self", {"is_staff": False}),
        ("administrator", "self", {"is_superuser": True}),
        ("administrator", "other", {"is_superuser": True}),
        ("administrator", "other", {"user_permissions": "change_group"}),
        ("administrator", "other", {"groups": "powerful"}),
        ("administrator", "superuser", {"groups": READ_ONLY}),
        ("administrator", "superuser", {"is_staff": False}),
        ("read_only", "other", {"groups": READ_ONLY}),
        ("superuser", "self", {"is_superuser": False}),
        ("superuser", "self", {"groups": ADMINISTRATOR}),
    ],
)
def test_role_service_refuses_directly(
    admin_factory, user_factory, superuser, powerful_group, actor_kind, target_kind, change
):
    actors = {"superuser": lambda: superuser, "read_only": lambda: admin_factory("read_only")}
    actor = actors.get(actor_kind, lambda: admin_factory("administrator"))()
    target = {"self": actor, "superuser": superuser}.get(target_kind) or user_factory()
    ((key, value),) = change.items()
    if key == "groups":
        value = [powerful_group if value == "powerful" else Group.objects.get(name=value)]
    elif key == "user_permissions":
        value = list(Permission.objects.filter(codename=value))
    before = _roles(target)
    with pytest.raises(services.RoleChangeRefused):
        services.user_roles_set(actor=actor, user=target, **{key: value})
    assert _roles(target) == before
    assert _refusals(actor_email=actor.email, target_id=str(target.pk)).exists()


@pytest.mark.django_db
def test_role_service_lets_a_superuser_grant_permissions_and_audits_it(superuser, user_factory):
    target = user_factory()
    permission = Permission.objects.get(codename="change_group")
    services.user_roles_set(actor=superuser, user=target, user_permissions=[permission])
    assert _roles(target)[3] == {"change_group"}
    event = AuditEvent.objects.get(action="user.roles_change", target_id=str(target.pk))
    assert event.details["after"]["user_permissions"] == ["auth.change_group"]


@pytest.mark.django_db
def test_role_service_leaves_no_event_when_nothing_changes(administrator, user_factory):
    target = user_factory()
    services.user_roles_set(actor=administrator, user=target, is_staff=False, groups=[])
    assert not AuditEvent.objects.filter(target_id=str(target.pk)).exists()


@pytest.mark.django_db
def test_role_fields_posted_to_the_add_form_are_refused(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@example.com",
            "username": "newbie",
            "usable_password": "false",
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="new@example.com").exists()


@pytest.mark.django_db
def test_role_service_refuses_when_roles_changed_since_the_check(
    administrator, user_factory, monkeypatch
):
    target = user_factory()
    checked = services.user_roles_check

    def check_then_promote(**kwargs):
        result = checked(**kwargs)
        User.objects.filter(pk=target.pk).update(is_superuser=True)
        return result

    monkeypatch.setattr(services, "user_roles_check", check_then_promote)
    with pytest.raises(services.RoleChangeRefused):
        services.user_roles_set(actor=administrator, user=target, is_staff=True)
    assert _roles(target) == (True, False, set(), set())
