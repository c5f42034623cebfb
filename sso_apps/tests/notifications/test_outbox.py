import logging
import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from sso_apps.models import Application, Notification
from sso_apps.services import notifications as service
from sso_apps.services.applications import application_sso_deactivate, applications_delete
from sso_apps.tasks import notification_deliver as notification_deliver_task
from sso_apps.tasks import notification_sweep as notification_sweep_task
from sso_apps.tests.notifications.helpers import application_make

pytestmark = pytest.mark.django_db


def emails_to(address):
    return [message for message in mail.outbox if address in message.to]


@pytest.fixture
def frozen_now():
    """Freeze the notification service's clock; returns a setter to move it."""
    current = {"now": timezone.now()}
    with mock.patch.object(service, "_now", side_effect=lambda: current["now"]):

        def move(delta=timedelta()):
            current["now"] = current["now"] + delta
            return current["now"]

        yield move


@pytest.fixture
def pending_notification(administrator):
    """A pending notification with both channels, not yet delivered."""
    return Notification.objects.create(
        recipient=administrator,
        kind="application.deactivated",
        title="SSO deactivated: Slack",
        body="root.admin@example.com deactivated SSO for Slack.",
        channels=["in_app", "email"],
    )


def test_deactivation_notifies_each_recipient_exactly_once_after_commit(
    administrator, second_administrator, reader, admin_request, django_capture_on_commit_callbacks
):
    application = application_make(label="Slack")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        application_sso_deactivate(application=application, request=admin_request)
        assert mail.outbox == []  # nothing leaves before the commit

    assert len(callbacks) == 2
    rows = Notification.objects.filter(kind="application.deactivated")
    assert sorted(rows.values_list("recipient__email", flat=True)) == [
        "root.admin@example.com",
        "second.admin@example.com",
    ]
    assert all(row.status == Notification.Status.DELIVERED for row in rows)
    assert all(row.in_app_delivered_at and row.email_delivered_at for row in rows)
    assert {row.actor_id for row in rows} == {administrator.pk}
    assert [m.subject for m in emails_to("root.admin@example.com")] == [
        "[Tessera] SSO deactivated: Slack"
    ]
    assert len(emails_to("second.admin@example.com")) == 1
    assert emails_to("reader@example.com") == []
    assert "Slack" in emails_to("second.admin@example.com")[0].body


def test_only_the_actor_is_notified_when_administrators_are_not_all_notified(
    settings, administrator, second_administrator, admin_request, django_capture_on_commit_callbacks
):
    settings.SSO_APPS_NOTIFY_ALL_ADMINISTRATORS = False
    application = application_make(label="Zoom")

    with django_capture_on_commit_callbacks(execute=True):
        application_sso_deactivate(application=application, request=admin_request)

    assert list(Notification.objects.values_list("recipient__email", flat=True)) == [
        "root.admin@example.com"
    ]
    assert [m.to for m in mail.outbox] == [["root.admin@example.com"]]


def test_deleting_several_apps_is_one_notification_per_recipient_naming_them(
    administrator, second_administrator, admin_request, django_capture_on_commit_callbacks
):
    apps = [application_make(label=label) for label in ("Asana", "Box", "Jira")]

    with django_capture_on_commit_callbacks(execute=True):
        applications_delete(applications=apps, confirmation_count=3, request=admin_request)

    rows = Notification.objects.filter(kind="application.deleted")
    assert rows.count() == 2
    assert all("Asana, Box, Jira" in row.body for row in rows)
    assert len(mail.outbox) == 2


def test_notifications_roll_back_with_the_change_and_are_never_queued(
    administrator, admin_request, django_capture_on_commit_callbacks
):
    application = application_make(label="Dropbox")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        application_sso_deactivate(application=application, request=admin_request)
        raise RuntimeError("the view failed after the service")

    assert Notification.objects.count() == 0
    assert callbacks == []
    assert mail.outbox == []


def test_a_second_delivery_run_sends_nothing_twice(pending_notification):
    first = service.notification_deliver(notification_id=pending_notification.pk)
    second = service.notification_deliver(notification_id=pending_notification.pk)
    notification_deliver_task.delay(pending_notification.pk)

    assert first.delivered == ["in_app", "email"]
    assert second.delivered == []
    assert len(mail.outbox) == 1
    pending_notification.refresh_from_db()
    assert pending_notification.status == Notification.Status.DELIVERED
    assert pending_notification.attempts == 2  # one per channel, on the first run only


def test_delivery_of_a_deleted_notification_returns_quietly(pending_notification):
    pending_notification.delete()

    assert service.notification_deliver(notification_id=pending_notification.pk) is None
    assert notification_deliver_task.delay(pending_notification.pk).get() is False


def test_email_failure_is_retried_with_exponential_backoff_without_blocking_in_app(
    pending_notification, frozen_now
):
    failing = mock.patch.object(
        service, "send_mail", side_effect=smtplib.SMTPServerDisconnected("relay went away")
    )
    with failing:
        first = service.notification_deliver(notification_id=pending_notification.pk)
    pending_notification.refresh_from_db()
    assert first.delivered == ["in_app"]
    assert first.failed == {"email": "SMTPServerDisconnected: relay went away"}
    assert first.retry_in == 30
    assert pending_notification.in_app_delivered_at is not None
    assert pending_notification.email_delivered_at is None
    assert pending_notification.email_claimed_at is None  # released: nothing was sent
    assert pending_notification.failures == 1
    assert pending_notification.last_error == "email: SMTPServerDisconnected: relay went away"
    assert pending_notification.next_attempt_at == frozen_now() + timedelta(seconds=30)

    with failing:
        second = service.notification_deliver(notification_id=pending_notification.pk)
    assert second.retry_in == 60
    assert second.delivered == []  # in-app is not delivered again

    third = service.notification_deliver(notification_id=pending_notification.pk)
    pending_notification.refresh_from_db()
    assert third.delivered == ["email"]
    assert third.retry_in is None
    assert pending_notification.status == Notification.Status.DELIVERED
    assert pending_notification.last_error == ""
    assert pending_notification.next_attempt_at is None
    assert len(mail.outbox) == 1


def test_in_app_failure_does_not_block_email(pending_notification):
    broken = mock.patch.dict(
        service.CHANNEL_DELIVERERS,
        {Notification.Channel.IN_APP: mock.Mock(side_effect=RuntimeError("boom"))},
    )
    with broken:
        result = service.notification_deliver(notification_id=pending_notification.pk)

    assert result.delivered == ["email"]
    assert set(result.failed) == {"in_app"}
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(("failures", "delay"), [(1, 30), (2, 60), (3, 120), (7, 1920), (9, 3600)])
def test_retry_delay_doubles_up_to_the_cap(failures, delay):
    assert service.retry_delay(failures) == delay


def test_the_task_retries_a_failed_channel_with_the_backoff_countdown(pending_notification):
    with (
        mock.patch.object(service, "send_mail", side_effect=smtplib.SMTPException("451")),
        mock.patch.object(
            notification_deliver_task, "retry", side_effect=RuntimeError("retry raised")
        ) as retry,
        pytest.raises(RuntimeError, match="retry raised"),
    ):
        # Called as a worker would (not eager), so the task asks Celery for a retry.
        notification_deliver_task.run(pending_notification.pk)

    retry.assert_called_once_with(countdown=30)


def test_delivery_gives_up_after_the_maximum_failures(settings, pending_notification, caplog):
    settings.SSO_APPS_NOTIFICATION_MAX_FAILURES = 2
    with mock.patch.object(service, "send_mail", side_effect=OSError("connection refused")):
        service.notification_deliver(notification_id=pending_notification.pk)
        result = service.notification_deliver(notification_id=pending_notification.pk)
        again = service.notification_deliver(notification_id=pending_notification.pk)

    pending_notification.refresh_from_db()
    assert result.retry_in is None
    assert pending_notification.status == Notification.Status.FAILED
    assert pending_notification.failures == 2
    assert again.delivered == [] and again.failed == {}  # a failed row is left alone
    assert "giving up" in caplog.text


def test_an_email_claimed_by_a_live_run_is_not_sent_again(pending_notification, frozen_now):
    # The state a worker leaves when it dies between sending and stamping the email.
    Notification.objects.filter(pk=pending_notification.pk).update(email_claimed_at=frozen_now())

    result = service.notification_deliver(notification_id=pending_notification.pk)

    assert result.delivered == ["in_app"]
    assert result.failed == {} and result.retry_in is None
    assert mail.outbox == []
    pending_notification.refresh_from_db()
    assert pending_notification.status == Notification.Status.PENDING


def test_an_expired_email_claim_is_sent_again_by_the_sweeper(
    settings, pending_notification, frozen_now, django_capture_on_commit_callbacks
):
    # At-least-once: a claim older than the claim timeout was a crashed run.
    settings.SSO_APPS_NOTIFICATION_CLAIM_TIMEOUT_SECONDS = 300
    Notification.objects.filter(pk=pending_notification.pk).update(
        email_claimed_at=frozen_now() - timedelta(seconds=301),
        created_at=frozen_now() - timedelta(minutes=10),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert notification_sweep_task.delay().get() == 1

    pending_notification.refresh_from_db()
    assert pending_notification.status == Notification.Status.DELIVERED
    assert len(mail.outbox) == 1


def test_sweeper_requeues_only_pending_notifications_past_the_delay_and_backoff(
    settings, administrator, frozen_now
):
    settings.SSO_APPS_NOTIFICATION_SWEEP_AFTER_MINUTES = 2
    now = frozen_now()

    def make(title, *, age_minutes, **fields):
        row = Notification.objects.create(
            recipient=administrator, kind="k", title=title, body="b", channels=["email"], **fields
        )
        Notification.objects.filter(pk=row.pk).update(
            created_at=now - timedelta(minutes=age_minutes)
        )
        return row.pk

    due = make("due", age_minutes=3)
    make("too recent", age_minutes=1)
    make("delivered", age_minutes=30, status=Notification.Status.DELIVERED)
    make("gave up", age_minutes=30, status=Notification.Status.FAILED)
    make("backing off", age_minutes=30, next_attempt_at=now + timedelta(seconds=10))
    backoff_over = make("backoff over", age_minutes=30, next_attempt_at=now - timedelta(seconds=1))

    assert service.notifications_due_ids() == [backoff_over, due]
    # Leased: the next sweep a minute later leaves them to the tasks just queued.
    assert service.notifications_due_ids() == []
    frozen_now(timedelta(minutes=2, seconds=1))
    assert set(service.notifications_due_ids()) >= {backoff_over, due}


def test_a_failed_publish_is_logged_and_the_action_still_succeeds(
    administrator, admin_request, django_capture_on_commit_callbacks, caplog, settings
):
    application = application_make(label="Okta Bookmark", kind="bookmark")
    Application.objects.filter(pk=application.pk).update(sso_active=True)
    broker_down = mock.patch.object(
        notification_deliver_task,
        "delay",
        side_effect=OperationalError("Error 111 connecting to 127.0.0.1:6379."),
    )

    # The on-commit callbacks run as the innermost block exits, with the broker still down.
    with (
        broker_down,
        caplog.at_level(logging.ERROR, logger="sso_apps.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = application_sso_deactivate(application=application, request=admin_request)

    assert result.sso_active is False
    row = Notification.objects.get()
    assert row.status == Notification.Status.PENDING
    assert row.in_app_delivered_at is None and row.email_delivered_at is None
    assert "the sweeper will retry it" in caplog.text
    assert mail.outbox == []

    # Once the broker is back, the sweep (after the delay) delivers it, once.
    settings.SSO_APPS_NOTIFICATION_SWEEP_AFTER_MINUTES = 0
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_sweep_task.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_sweep_task.delay().get() == 0
    row.refresh_from_db()
    assert row.status == Notification.Status.DELIVERED
    assert len(mail.outbox) == 1


def test_notifications_only_use_known_channels(
    settings, administrator, django_capture_on_commit_callbacks
):
    settings.SSO_APPS_NOTIFICATION_CHANNELS = ["in_app", "sms"]

    with django_capture_on_commit_callbacks(execute=True):
        (row,) = service.notification_create(
            recipients=[administrator], actor=None, kind="k", title="t", body="b"
        )

    row.refresh_from_db()
    assert row.channels == ["in_app"]
    assert row.status == Notification.Status.DELIVERED
    assert mail.outbox == []
