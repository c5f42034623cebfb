"""Who receives application notifications: the actor, and every active Administrator."""

import pytest

from sso_apps.selectors.notifications import administrators, notification_recipients


@pytest.fixture
def staff(admin_factory):
    return {
        "admin": admin_factory(email="admin@example.com"),
        "other": admin_factory(email="other@example.com"),
        "reader": admin_factory("read_only", email="reader@example.com"),
        "suspended": admin_factory(email="gone@example.com", state="suspended"),
    }


def _emails(users) -> list[str]:
    return sorted(user.email for user in users)


@pytest.mark.django_db
def test_administrators_are_the_active_staff_holding_the_role_once_each(staff):
    staff["admin"].groups.add(*staff["other"].groups.all())

    assert _emails(administrators()) == ["admin@example.com", "other@example.com"]


@pytest.mark.django_db
def test_recipients_are_every_administrator_and_the_actor(settings, staff):
    settings.SSO_APPS_NOTIFY_ALL_ADMINISTRATORS = True

    assert _emails(notification_recipients(staff["reader"])) == [
        "admin@example.com",
        "other@example.com",
        "reader@example.com",
    ]
    assert _emails(notification_recipients(staff["admin"])) == _emails(administrators())


@pytest.mark.django_db
def test_recipients_are_only_the_actor_when_administrators_are_not_all_notified(settings, staff):
    settings.SSO_APPS_NOTIFY_ALL_ADMINISTRATORS = False

    assert _emails(notification_recipients(staff["reader"])) == ["reader@example.com"]
    assert _emails(notification_recipients(None)) == []
