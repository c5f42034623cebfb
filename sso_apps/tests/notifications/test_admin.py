import pytest
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sso_apps.models import Notification

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:sso_apps_notification_changelist")
READ_ALL_URL = reverse("admin:sso_apps_notification_read_all")


def bell_html(request):
    template = Template("{% load sso_apps_notifications %}{% notification_bell %}")
    return template.render(Context({"request": request}))


def test_the_bell_counts_unread_delivered_notifications_in_one_query(
    rf, administrator, second_administrator, notification_factory
):
    notification_factory(administrator, "one")
    notification_factory(administrator, "two")
    notification_factory(administrator, "read", read=True)
    notification_factory(administrator, "still queued", delivered=False)
    notification_factory(second_administrator, "someone else's")
    request = rf.get("/admin/")
    request.user = administrator

    with CaptureQueriesContext(connection) as queries:
        html = bell_html(request)

    assert len(queries) == 1
    assert 'class="notification-count"' in html
    assert ">2</span>" in html
    assert "Notifications, 2 unread" in html
    assert f'href="{LIST_URL}"' in html


def test_the_bell_has_no_count_when_all_is_read_and_is_absent_for_anonymous(
    rf, administrator, notification_factory
):
    from django.contrib.auth.models import AnonymousUser

    notification_factory(administrator, read=True)
    request = rf.get("/admin/")
    request.user = administrator
    assert "notification-count" not in bell_html(request)
    assert "Notifications, 0 unread" in bell_html(request)

    request.user = AnonymousUser()
    assert bell_html(request).strip() == ""


def test_the_admin_header_shows_the_bell(admin_client, administrator, notification_factory):
    notification_factory(administrator)

    response = admin_client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert b"notification-bell" in response.content
    assert b"Notifications, 1 unread" in response.content


def test_the_list_shows_only_the_signed_in_admins_delivered_notifications(
    admin_client, administrator, second_administrator, notification_factory
):
    notification_factory(administrator, "Mine")
    notification_factory(administrator, "Mine but not delivered yet", delivered=False)
    notification_factory(second_administrator, "Theirs")

    response = admin_client.get(LIST_URL)

    assert response.status_code == 200
    assert b"Mine" in response.content
    assert b"Mine but not delivered yet" not in response.content
    assert b"Theirs" not in response.content


def test_a_read_only_admin_sees_their_own_notifications(client, reader, notification_factory):
    notification_factory(reader, "For the reader")
    client.force_login(reader)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert b"For the reader" in response.content


def test_another_admins_notification_cannot_be_opened_or_marked_read(
    admin_client, second_administrator, notification_factory
):
    theirs = notification_factory(second_administrator, "Theirs")

    detail = admin_client.get(reverse("admin:sso_apps_notification_change", args=[theirs.pk]))
    mark = admin_client.post(reverse("admin:sso_apps_notification_read", args=[theirs.pk]))

    assert b"Theirs" not in detail.content
    assert detail.status_code in (302, 404)
    assert mark.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_admin_opens_their_notification_and_marks_it_read(
    admin_client, administrator, notification_factory
):
    mine = notification_factory(administrator, "Mine")
    other = notification_factory(administrator, "Other")
    detail_url = reverse("admin:sso_apps_notification_change", args=[mine.pk])
    read_url = reverse("admin:sso_apps_notification_read", args=[mine.pk])

    detail = admin_client.get(detail_url)
    assert detail.status_code == 200
    assert b"Body of Mine" in detail.content
    assert read_url.encode() in detail.content
    mine.refresh_from_db()
    assert mine.read_at is None  # opening it changes nothing

    assert admin_client.get(read_url).status_code == 405
    response = admin_client.post(read_url)

    assert response.status_code == 302
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.read_at is not None
    assert other.read_at is None


def test_mark_all_read_marks_only_the_admins_own(
    admin_client, administrator, second_administrator, notification_factory
):
    mine = [notification_factory(administrator, f"Mine {n}") for n in range(3)]
    theirs = notification_factory(second_administrator, "Theirs")

    response = admin_client.post(READ_ALL_URL, follow=True)

    assert response.status_code == 200
    assert b"Marked 3 notifications as read." in response.content
    assert (
        Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).count() == 0
    )
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_as_read_requires_the_csrf_token(administrator, notification_factory):
    notification_factory(administrator)
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)

    response = client.post(READ_ALL_URL)

    assert response.status_code == 403
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_the_list_action_marks_the_selected_notifications_read(
    admin_client, administrator, notification_factory
):
    picked = notification_factory(administrator, "Picked")
    left = notification_factory(administrator, "Left")

    response = admin_client.post(
        LIST_URL, {"action": "mark_read", "_selected_action": [picked.pk]}, follow=True
    )

    assert response.status_code == 200
    picked.refresh_from_db()
    left.refresh_from_db()
    assert picked.read_at is not None
    assert left.read_at is None
