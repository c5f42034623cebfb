import pytest
from django.urls import reverse

from sso_apps.models import Application, AuditEvent, IdpKeyPair, Notification
from sso_apps.services.applications import application_groups_set, application_sso_activate
from sso_apps.tests.admin.helpers import app_url

LIST_URL = reverse("admin:sso_apps_application_changelist")


@pytest.fixture
def active_app(ready_app):
    return application_sso_activate(application=ready_app)


@pytest.mark.django_db
def test_sso_tab_ends_with_deactivate_sso_for_an_active_app(admin_client, active_app):
    page = admin_client.get(app_url("sso", active_app)).text

    assert page.rindex("Deactivate SSO") > page.index('id="sso-form"')
    assert app_url("deactivate", active_app) in page
    assert "Activate SSO</button>" not in page


@pytest.mark.django_db
def test_deactivate_asks_then_keeps_every_setting(
    admin_client, administrator, active_app, group_factory, django_capture_on_commit_callbacks
):
    group = group_factory()
    application_groups_set(application=active_app, groups=[group])
    sp_entity = active_app.saml.sp_entity_id

    confirm = admin_client.get(app_url("deactivate", active_app))
    assert confirm.status_code == 200
    assert "Deactivate SSO for Ready App?" in confirm.text
    active_app.refresh_from_db()
    assert active_app.sso_active

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(app_url("deactivate", active_app), follow=True)

    active_app.refresh_from_db()
    assert not active_app.sso_active
    assert active_app.saml.sp_entity_id == sp_entity
    assert list(active_app.authorized_groups.all()) == [group]
    assert active_app.key_pairs.filter(status=IdpKeyPair.Status.ACTIVE).exists()
    # The notification sentence depends on the commit (tests/admin/test_feedback.py).
    assert "SSO deactivated for Ready App." in response.text
    assert "If successful" not in response.text
    assert response.redirect_chain[-1][0] == app_url("sso", active_app)
    event = AuditEvent.objects.get(action="application.deactivate")
    assert (event.actor_email, event.target_label) == (administrator.email, "Ready App")
    notification = Notification.objects.get(kind="application.deactivated")
    assert notification.recipient == administrator


@pytest.mark.django_db
def test_activate_sso_turns_it_back_on(admin_client, administrator, ready_app):
    page = admin_client.get(app_url("sso", ready_app)).text
    assert "Activate SSO</button>" in page
    assert "Before SSO can be activated" not in page

    response = admin_client.post(app_url("activate", ready_app), follow=True)

    ready_app.refresh_from_db()
    assert ready_app.sso_active
    assert "SSO activated for Ready App." in response.text
    assert AuditEvent.objects.filter(action="application.activate", outcome="success").exists()
    assert Notification.objects.filter(kind="application.activated").count() == 1


@pytest.mark.django_db
def test_activation_problems_are_listed_before_clicking(admin_client, saml_app):
    page = admin_client.get(app_url("sso", saml_app)).text
    assert "Before SSO can be activated:" in page
    assert "SP Entity ID still contains YOURDOMAIN." in page


@pytest.mark.django_db
def test_activate_is_post_only(admin_client, ready_app):
    assert admin_client.get(app_url("activate", ready_app)).status_code == 405
    ready_app.refresh_from_db()
    assert not ready_app.sso_active


# --- Delete ------------------------------------------------------------------------------


def delete_post(applications, *, confirm=None) -> dict:
    data = {"action": "delete_applications", "_selected_action": [app.pk for app in applications]}
    if confirm is not None:
        data.update({"confirm": "yes", "confirmation_count": confirm})
    else:
        data["index"] = 0
    return data


@pytest.mark.django_db
def test_delete_button_opens_the_typed_count_confirmation(admin_client, application_factory):
    apps = [application_factory(), application_factory()]

    response = admin_client.post(LIST_URL, delete_post(apps))

    page = response.text
    assert response.status_code == 200
    assert "Enter the number of the applications you are deleting" in page
    assert "Delete Application</button>" in page
    assert 'data-delete-confirm="2"' in page
    assert Application.objects.count() == 2


@pytest.mark.django_db
def test_list_has_a_delete_button_for_the_selected_rows(admin_client, saml_app):
    page = admin_client.get(LIST_URL).text
    assert 'name="action" value="delete_applications"' in page
    assert ">Delete</button>" in page
    assert 'name="_selected_action"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["1", "3", "0", "two"])
def test_wrong_count_deletes_nothing_and_says_why(admin_client, application_factory, typed):
    apps = [application_factory(), application_factory()]

    response = admin_client.post(LIST_URL, delete_post(apps, confirm=typed))

    assert response.status_code == 200
    assert Application.objects.count() == 2
    assert IdpKeyPair.objects.count() == 2
    expected = "enter 2 to delete them" if typed != "two" else "Enter a whole number"
    assert expected in response.text
    assert not AuditEvent.objects.filter(action="application.delete").exists()


@pytest.mark.django_db
def test_right_count_deletes_apps_key_pairs_and_group_links(
    admin_client, administrator, application_factory, group_factory
):
    group = group_factory()
    doomed = [application_factory(display_label="A"), application_factory(display_label="B")]
    kept = application_factory(display_label="Kept")
    for app in [*doomed, kept]:
        application_groups_set(application=app, groups=[group])

    response = admin_client.post(LIST_URL, delete_post(doomed, confirm="2"), follow=True)

    assert list(Application.objects.all()) == [kept]
    assert set(IdpKeyPair.objects.values_list("application_id", flat=True)) == {kept.pk}
    assert list(group.applications.all()) == [kept]
    assert "Deleted 2 applications." in response.text
    assert "If successful" not in response.text
    assert response.redirect_chain[-1][0] == LIST_URL
    events = AuditEvent.objects.filter(action="application.delete")
    assert sorted(events.values_list("target_label", flat=True)) == ["A", "B"]
    assert {event.actor_email for event in events} == {administrator.email}
    assert Notification.objects.filter(kind="application.deleted").count() == 1


@pytest.mark.django_db
def test_bulk_delete_returns_to_the_list_as_it_was_filtered(admin_client, application_factory):
    doomed = application_factory(display_label="Doomed")
    filtered_list = f"{LIST_URL}?status=inactive&q=Doomed"

    response = admin_client.post(filtered_list, delete_post([doomed], confirm="1"))

    assert response.status_code == 302
    assert response.url == filtered_list
    assert not Application.objects.filter(pk=doomed.pk).exists()


@pytest.mark.django_db
def test_delete_link_of_one_app_returns_to_the_whole_list(admin_client, saml_app):
    response = admin_client.post(
        app_url("delete", saml_app), {"confirm": "yes", "confirmation_count": "1"}
    )

    assert response.status_code == 302
    assert response.url == LIST_URL


@pytest.mark.django_db
def test_delete_link_of_one_app_uses_the_same_confirmation(admin_client, saml_app):
    url = app_url("delete", saml_app)

    page = admin_client.get(url).text
    assert "Enter the number of the applications you are deleting" in page

    admin_client.post(url, {"confirm": "yes", "confirmation_count": "2"})
    assert Application.objects.filter(pk=saml_app.pk).exists()

    response = admin_client.post(url, {"confirm": "yes", "confirmation_count": "1"})
    assert response.status_code == 302
    assert not Application.objects.filter(pk=saml_app.pk).exists()
