"""Two apps with one label can be told apart: suffix column, delete screen, a warning."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from sso_apps.models import Application
from sso_apps.tests.admin.helpers import app_url
from sso_apps.tests.admin.test_add_wizard import general_post, general_url
from sso_apps.tests.admin.test_details_tab import change_url, details_post
from sso_apps.tests.admin.test_lifecycle import LIST_URL, delete_post

pytestmark = pytest.mark.django_db


def warnings_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]


def test_the_list_shows_each_apps_suffix(admin_client, application_factory):
    application_factory(display_label="Slack", idp_suffix="slack-eu")
    application_factory(display_label="Slack", idp_suffix="slack-us")

    response = admin_client.get(LIST_URL)

    page = response.text
    assert "IdP URL suffix" in page
    assert '<td class="field-idp_suffix">slack-eu</td>' in page
    assert '<td class="field-idp_suffix">slack-us</td>' in page


def test_the_list_sorts_by_suffix(admin_client, application_factory):
    application_factory(display_label="B", idp_suffix="aaa")
    application_factory(display_label="A", idp_suffix="zzz")
    column = list(admin_client.get(LIST_URL).context["cl"].list_display).index("idp_suffix")

    response = admin_client.get(LIST_URL, {"o": str(column)})

    assert [app.idp_suffix for app in response.context["cl"].result_list] == ["aaa", "zzz"]


def test_the_delete_screen_shows_each_suffix(admin_client, application_factory):
    apps = [
        application_factory(display_label="Slack", idp_suffix="slack-eu"),
        application_factory(display_label="Slack", idp_suffix="slack-us"),
    ]

    page = admin_client.post(LIST_URL, delete_post(apps)).text

    assert "<code>slack-eu</code>" in page and "<code>slack-us</code>" in page


def test_saving_a_label_another_app_has_warns_but_saves(admin_client, application_factory):
    application_factory(display_label="Slack", idp_suffix="slack-eu")
    other = application_factory(display_label="Chat", idp_suffix="slack-us")

    response = admin_client.post(change_url(other), details_post(other, display_label="slack"))

    assert response.status_code == 302
    other.refresh_from_db()
    assert other.display_label == "slack"
    assert warnings_of(response) == [
        "Another application is also labelled “slack” (suffix slack-eu). Users see the same "
        "name on both tiles; the suffix tells them apart here."
    ]


def test_a_unique_label_gives_no_warning(admin_client, application_factory):
    application_factory(display_label="Slack")
    other = application_factory(display_label="Chat")

    response = admin_client.post(change_url(other), details_post(other, description="x"))

    assert response.status_code == 302
    assert warnings_of(response) == []


def test_creating_a_duplicate_label_warns_with_the_count(admin_client, application_factory):
    first = application_factory(display_label="GoToAssist", idp_suffix="goto-a")
    application_factory(display_label="GoToAssist", idp_suffix="goto-b")

    response = admin_client.post(general_url(first.connector), general_post(idp_suffix="goto-c"))

    assert Application.objects.filter(idp_suffix="goto-c").exists()
    assert warnings_of(response) == [
        "2 other applications are also labelled “GoToAssist” (suffixes goto-a, goto-b). Users "
        "see the same name on their tiles; the suffix tells them apart here."
    ]


def test_the_apps_own_page_has_delete_leading_to_the_typed_count(admin_client, saml_app):
    page = admin_client.get(change_url(saml_app)).text

    delete = app_url("delete", saml_app)
    assert f'href="{delete}"' in page
    confirm = admin_client.get(delete).text
    assert "Enter the number of the applications you are deleting" in confirm
    # Cancel goes back to the app, not to the list.
    assert f'href="{change_url(saml_app)}"' in confirm


def test_read_only_admins_see_no_delete_on_the_apps_page(read_only_client, saml_app):
    page = read_only_client.get(change_url(saml_app)).text

    assert app_url("delete", saml_app) not in page
    assert read_only_client.get(app_url("delete", saml_app)).status_code == 403


def test_bulk_cancel_goes_back_to_the_list(admin_client, application_factory):
    apps = [application_factory(), application_factory()]

    page = admin_client.post(LIST_URL, delete_post(apps)).text

    assert f'href="{reverse("admin:sso_apps_application_changelist")}"' in page
