import pytest
from cryptography import x509
from django.urls import reverse

from sso_apps.models import Application, AuditEvent, IdpKeyPair
from sso_apps.tests.admin.helpers import app_url, sso_post

READ_ONLY_PAGES = ("change", "sso", "groups", "certificate", "metadata", "created", "history")
WRITE_POSTS = (
    "change",
    "sso",
    "import_metadata",
    "regenerate",
    "key_pair_upload",
    "activate",
    "deactivate",
    "groups",
    "delete",
)


@pytest.fixture
def snapshot():
    def take():
        return (
            list(
                Application.objects.values_list(
                    "pk", "display_label", "sso_active", "config_version"
                )
            ),
            list(IdpKeyPair.objects.values_list("pk", "status")),
            list(Application.authorized_groups.through.objects.values_list("pk", flat=True)),
        )

    return take


@pytest.mark.django_db
@pytest.mark.parametrize("page", READ_ONLY_PAGES)
def test_read_only_admin_sees_every_tab(read_only_client, ready_app, page):
    assert read_only_client.get(app_url(page, ready_app)).status_code == 200


@pytest.mark.django_db
def test_read_only_admin_sees_the_list_without_write_buttons(read_only_client, ready_app):
    page = read_only_client.get(reverse("admin:sso_apps_application_changelist")).text
    assert "Ready App" in page
    assert "+ Add New Application" not in page
    assert 'value="delete_applications"' not in page


@pytest.mark.django_db
def test_read_only_sso_tab_is_read_only(read_only_client, ready_app):
    response = read_only_client.get(app_url("sso", ready_app))

    page = response.text
    assert all(field.disabled for field in response.context["form"].fields.values())
    for hidden in (
        "Regenerate",
        "Upload your own key pair",
        "Import SP metadata",
        "Activate SSO",
        'type="submit" class="default" value="Save"',
    ):
        assert hidden not in page, hidden
    assert "Download certificate" in page and "Export metadata" in page


@pytest.mark.django_db
def test_read_only_admin_downloads_the_public_certificate(read_only_client, ready_app):
    response = read_only_client.get(app_url("certificate", ready_app))
    assert response["Content-Disposition"] == 'attachment; filename="certificate.pem"'
    x509.load_pem_x509_certificate(response.content)


@pytest.mark.django_db
@pytest.mark.parametrize("page", WRITE_POSTS)
def test_every_write_by_a_read_only_admin_is_a_403(
    read_only_client, ready_app, group_factory, snapshot, page
):
    group = group_factory()
    data = {
        "change": {
            "display_label": "Hacked",
            "portal_image_kind": "logo",
            "portal_color": "#000000",
        },
        "sso": sso_post(ready_app, sp_entity_id="https://evil.test/"),
        "groups": {"shown": [group.pk], "checked": [group.pk]},
        "delete": {"confirm": "yes", "confirmation_count": "1"},
    }.get(page, {})
    before = snapshot()

    response = read_only_client.post(app_url(page, ready_app), data)

    assert response.status_code == 403
    assert snapshot() == before
    assert AuditEvent.objects.filter(action="access.denied", outcome="denied").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["regenerate", "deactivate"])
def test_read_only_admin_cannot_open_write_confirmations(read_only_client, ready_app, page):
    assert read_only_client.get(app_url(page, ready_app)).status_code == 403


@pytest.mark.django_db
def test_read_only_admin_cannot_add_or_bulk_delete(
    read_only_client, connector_factory, ready_app, snapshot
):
    connector = connector_factory(slug="gotoassist")
    before = snapshot()
    general = reverse("admin:sso_apps_application_add_general") + "?connector=gotoassist"

    assert read_only_client.get(reverse("admin:sso_apps_application_add")).status_code == 403
    assert read_only_client.get(general).status_code == 403
    assert (
        read_only_client.post(
            general, {"display_label": "X", "idp_suffix": "x", "portal_image_kind": "logo"}
        ).status_code
        == 403
    )
    bulk = read_only_client.post(
        reverse("admin:sso_apps_application_changelist"),
        {
            "action": "delete_applications",
            "_selected_action": [ready_app.pk],
            "confirm": "yes",
            "confirmation_count": "1",
        },
    )
    assert bulk.status_code == 403
    assert snapshot() == before
    assert connector.applications.count() == 0


@pytest.mark.django_db
def test_read_only_admin_cannot_authorise_from_the_group_side(
    read_only_client, ready_app, group_factory
):
    group = group_factory()
    url = reverse("admin:accounts_usergroup_applications", args=[group.pk])

    assert read_only_client.get(url).status_code == 200
    response = read_only_client.post(url, {"shown": [ready_app.pk], "checked": [ready_app.pk]})

    assert response.status_code == 403
    assert not group.applications.exists()


@pytest.mark.django_db
def test_end_user_reaches_none_of_it(client, user_factory, ready_app, group_factory):
    client.force_login(user_factory(email="enduser@example.com"))
    group = group_factory()
    urls = [app_url(page, ready_app) for page in READ_ONLY_PAGES + WRITE_POSTS]
    urls += [
        reverse("admin:sso_apps_application_changelist"),
        reverse("admin:sso_apps_application_add"),
        reverse("admin:sso_apps_auditevent_changelist"),
        reverse("admin:sso_apps_connectortemplate_changelist"),
        reverse("admin:accounts_usergroup_applications", args=[group.pk]),
    ]

    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url
    assert Application.objects.filter(pk=ready_app.pk, display_label="Ready App").exists()


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_sign_in(client, ready_app):
    response = client.get(app_url("certificate", ready_app))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
