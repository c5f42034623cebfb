import pytest
from django.urls import reverse

from sso_apps.models import AuditEvent
from sso_apps.tests.admin.images import png_upload, svg_upload


def change_url(app) -> str:
    return reverse("admin:sso_apps_application_change", args=[app.pk])


def details_post(app, **overrides) -> dict:
    data = {
        "display_label": app.display_label,
        "description": app.description,
        "portal_image_kind": app.portal_image_kind,
        "portal_color": app.portal_color,
        "show_in_portal": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.django_db
def test_details_tab_shows_the_tab_bar_and_the_suffix_read_only(admin_client, saml_app):
    response = admin_client.get(change_url(saml_app))

    page = response.text
    assert response.status_code == 200
    for tab in ("Details", "SSO", "User Groups"):
        assert f">{tab}</a>" in page
    assert reverse("admin:sso_apps_application_sso", args=[saml_app.pk]) in page
    assert reverse("admin:sso_apps_application_groups", args=[saml_app.pk]) in page
    assert "idp_suffix" not in response.context["adminform"].form.fields
    assert saml_app.idp_suffix in page
    assert 'name="idp_suffix"' not in page


@pytest.mark.django_db
def test_details_are_saved_through_the_service(admin_client, administrator, saml_app):
    response = admin_client.post(
        change_url(saml_app),
        details_post(saml_app, display_label="GoTo Support", description="Remote help"),
    )

    assert response.status_code == 302
    saml_app.refresh_from_db()
    assert (saml_app.display_label, saml_app.description) == ("GoTo Support", "Remote help")
    event = AuditEvent.objects.filter(action="application.update").get()
    assert event.actor_email == administrator.email
    assert set(event.details["fields"]) == {"display_label", "description"}


@pytest.mark.django_db
def test_idp_suffix_cannot_be_changed_after_creation(admin_client, saml_app):
    before = saml_app.idp_suffix

    response = admin_client.post(
        change_url(saml_app), details_post(saml_app, idp_suffix="hijacked", display_label="X")
    )

    assert response.status_code == 302
    saml_app.refresh_from_db()
    assert saml_app.display_label == "X"
    assert saml_app.idp_suffix == before


@pytest.mark.django_db
def test_details_upload_is_re_encoded_and_svg_refused(admin_client, saml_app):
    refused = admin_client.post(
        change_url(saml_app),
        details_post(saml_app, portal_image_kind="upload", portal_image=svg_upload()),
    )
    assert refused.status_code == 200
    assert "SVG images are refused" in refused.text

    accepted = admin_client.post(
        change_url(saml_app),
        details_post(saml_app, portal_image_kind="upload", portal_image=png_upload()),
    )
    assert accepted.status_code == 302
    saml_app.refresh_from_db()
    assert saml_app.portal_image_kind == "upload"
    assert saml_app.portal_image.name.startswith("portal-images/")

    # Keeping the upload choice without a new file keeps the stored image.
    kept = admin_client.post(
        change_url(saml_app), details_post(saml_app, portal_image_kind="upload", description="y")
    )
    assert kept.status_code == 302
    saml_app.refresh_from_db()
    assert saml_app.portal_image


@pytest.mark.django_db
def test_bookmark_details_edit_the_url_and_refuse_javascript(
    admin_client, connector_factory, application_factory
):
    bookmark = application_factory(connector=connector_factory(bookmark=True))

    refused = admin_client.post(
        change_url(bookmark), details_post(bookmark, bookmark_url="javascript:alert(1)")
    )
    assert refused.status_code == 200
    assert "bookmark_url" in refused.context["adminform"].form.errors

    admin_client.post(
        change_url(bookmark), details_post(bookmark, bookmark_url="https://new.test/")
    )
    bookmark.refresh_from_db()
    assert bookmark.bookmark_url == "https://new.test/"


@pytest.mark.django_db
def test_saml_details_have_no_bookmark_field(admin_client, saml_app):
    form = admin_client.get(change_url(saml_app)).context["adminform"].form
    assert "bookmark_url" not in form.fields
