"""Messages state what happened, including whether the confirmation notification left.

These tests commit for real (transaction=True): the notification's delivery is queued
on commit, and only a commit tells the view whether it reached the task queue.
"""

import pytest

from sso_apps import tasks
from sso_apps.models import Application, Notification
from sso_apps.services.applications import application_sso_activate
from sso_apps.tests.admin.helpers import app_url
from sso_apps.tests.admin.test_lifecycle import LIST_URL, delete_post

pytestmark = pytest.mark.django_db(transaction=True)

NOT_QUEUED = (
    "The confirmation notification could not be queued yet; it will be sent once the "
    "task queue is reachable again."
)


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.notification_deliver, "delay", refuse)


def test_deactivate_says_the_confirmation_notification_was_sent(admin_client, ready_app):
    active = application_sso_activate(application=ready_app)

    response = admin_client.post(app_url("deactivate", active), follow=True)

    assert "SSO deactivated for Ready App. A confirmation notification was sent." in response.text
    assert "If successful" not in response.text
    assert Notification.objects.filter(kind="application.deactivated").count() == 1


def test_deactivate_says_when_the_notification_could_not_be_queued(
    admin_client, ready_app, broker_down
):
    active = application_sso_activate(application=ready_app)

    response = admin_client.post(app_url("deactivate", active), follow=True)

    assert f"SSO deactivated for Ready App. {NOT_QUEUED}" in response.text
    assert "was sent" not in response.text
    # The row stays in the outbox for the sweeper.
    notification = Notification.objects.get(kind="application.deactivated")
    assert notification.status == Notification.Status.PENDING


def test_activate_says_the_confirmation_notification_was_sent(admin_client, ready_app):
    response = admin_client.post(app_url("activate", ready_app), follow=True)

    assert "SSO activated for Ready App. A confirmation notification was sent." in response.text


def test_delete_says_the_confirmation_notification_was_sent(admin_client, application_factory):
    doomed = [application_factory(display_label="A"), application_factory(display_label="B")]

    response = admin_client.post(LIST_URL, delete_post(doomed, confirm="2"), follow=True)

    assert not Application.objects.exists()
    assert "Deleted 2 applications. A confirmation notification was sent." in response.text


def test_notifying_every_administrator_counts_them(
    admin_client, ready_app, admin_factory, settings
):
    settings.SSO_APPS_NOTIFY_ALL_ADMINISTRATORS = True
    admin_factory()
    active = application_sso_activate(application=ready_app)

    response = admin_client.post(app_url("deactivate", active), follow=True)

    assert "Confirmation notifications were sent to 2 administrators." in response.text


def test_no_channel_means_no_notification_sentence(admin_client, ready_app, settings):
    settings.SSO_APPS_NOTIFICATION_CHANNELS = []
    active = application_sso_activate(application=ready_app)

    response = admin_client.post(app_url("deactivate", active), follow=True)

    assert "SSO deactivated for Ready App." in response.text
    assert "A confirmation notification" not in response.text
    assert "could not be queued" not in response.text
