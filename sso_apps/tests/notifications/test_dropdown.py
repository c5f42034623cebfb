"""The bell's dropdown: latest items, unread count, mark read (CSRF, own only), readable list."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sso_apps.models import Notification
from sso_apps.tests.notifications.test_admin import LIST_URL, READ_ALL_URL

pytestmark = pytest.mark.django_db

DROPDOWN_URL = reverse("admin:sso_apps_notification_dropdown")
JSON = {"HTTP_ACCEPT": "application/json"}


def read_url(notification) -> str:
    return reverse("admin:sso_apps_notification_read", args=[notification.pk])


def test_the_dropdown_shows_the_latest_ten_and_the_unread_count(
    admin_client,
    administrator,
    second_administrator,
    notification_factory,
):
    made = []
    for index in range(12):
        item = notification_factory(administrator, f"Item {index:02d}", read=index < 3)
        Notification.objects.filter(pk=item.pk).update(
            created_at=timezone.now() - datetime.timedelta(minutes=60 - index)
        )
        made.append(item)
    notification_factory(second_administrator, "Theirs")

    response = admin_client.get(DROPDOWN_URL)

    assert response.status_code == 200
    page = response.text
    shown = [f"Item {index:02d}" for index in range(12) if f"Item {index:02d}<" in page]
    assert shown == [f"Item {index:02d}" for index in range(2, 12)]
    assert page.index("Item 11") < page.index("Item 02")  # newest first
    assert 'data-unread="9"' in page and "9 unread" in page
    assert "Theirs" not in page
    assert page.count('class="notification-item__read"') == 9 - 0  # 9 unread shown
    assert f'action="{READ_ALL_URL}"' in page
    assert f'href="{LIST_URL}"' in page and "See all notifications" in page
    assert page.count("csrfmiddlewaretoken") == 10  # nine items and "Mark all as read"
    assert 'aria-label="Mark read: Item 11"' in page


def test_an_empty_dropdown_says_so(admin_client):
    page = admin_client.get(DROPDOWN_URL).text

    assert "No notifications yet." in page
    assert "0 unread" in page and "Mark all as read" not in page


def test_the_dropdown_needs_a_signed_in_admin(client, user_factory):
    assert client.get(DROPDOWN_URL).status_code == 302  # to the admin sign-in
    client.force_login(user_factory())
    assert client.get(DROPDOWN_URL).status_code == 403
    assert client.post(READ_ALL_URL).status_code == 403


def test_the_dropdown_refuses_posts(admin_client):
    assert admin_client.post(DROPDOWN_URL).status_code == 405


def test_the_scripts_mark_read_answers_json_with_the_new_count(
    admin_client,
    administrator,
    notification_factory,
):
    first = notification_factory(administrator, "one")
    notification_factory(administrator, "two")

    response = admin_client.post(read_url(first), **JSON)

    assert response.status_code == 200
    assert response.json() == {"marked": 1, "unread": 1}
    assert admin_client.post(READ_ALL_URL, **JSON).json() == {"marked": 1, "unread": 0}


def test_mark_read_goes_back_to_the_page_it_was_opened_on(
    admin_client,
    administrator,
    notification_factory,
):
    item = notification_factory(administrator)
    here = reverse("admin:sso_apps_application_changelist") + "?q=slack"

    response = admin_client.post(read_url(item), {"next": here})

    assert response.status_code == 302 and response.url == here


@pytest.mark.parametrize(
    "target", ["https://evil.example.com/", "//evil.example.com/x", "javascript:alert(1)"]
)
def test_mark_read_never_redirects_off_site(
    admin_client,
    administrator,
    notification_factory,
    target,
):
    item = notification_factory(administrator)

    response = admin_client.post(read_url(item), {"next": target})

    assert response.status_code == 302 and response.url == LIST_URL


def test_the_dropdowns_forms_need_the_csrf_token(administrator, notification_factory):
    item = notification_factory(administrator)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(administrator)
    assert browser.get(DROPDOWN_URL).status_code == 200

    assert browser.post(read_url(item), **JSON).status_code == 403
    assert browser.post(READ_ALL_URL, **JSON).status_code == 403
    item.refresh_from_db()
    assert item.read_at is None


def test_a_read_only_admin_marks_their_own_notifications_read(
    client,
    reader,
    administrator,
    notification_factory,
):
    mine = notification_factory(reader, "For the reader")
    theirs = notification_factory(administrator, "For the admin")
    client.force_login(reader)

    assert "For the reader" in client.get(DROPDOWN_URL).text
    assert client.post(read_url(mine), **JSON).json() == {"marked": 1, "unread": 0}
    assert client.post(read_url(theirs), **JSON).status_code == 404
    client.post(READ_ALL_URL, **JSON)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_full_list_reads_in_words(admin_client, administrator, notification_factory):
    notification_factory(administrator, "SSO deactivated: Slack")

    page = admin_client.get(LIST_URL).text

    for header in ("Notification", "Kind", "From", "Received", "Status"):
        assert f">{header}<" in page or f">{header}</a>" in page, header
    assert "SSO deactivated: Slack</strong>" in page and "Body of SSO deactivated: Slack" in page
    assert ">SSO deactivated<" in page  # the kind, not "application.deactivated"
    assert "application.deactivated" not in page.split('id="result_list"')[1]
    assert "Unread" in page and " ago</time>" in page
