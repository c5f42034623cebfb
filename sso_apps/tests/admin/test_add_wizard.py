import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from sso_apps.admin.application_views import CATALOG_PAGE_SIZE
from sso_apps.models import Application, AuditEvent, ConnectorTemplate
from sso_apps.tests.admin.images import (
    SECRET_COMMENT,
    fake_png_upload,
    jpeg_upload,
    noisy_png_upload,
    png_upload,
    svg_upload,
)

CATALOG_URL = reverse("admin:sso_apps_application_add")
GENERAL_URL = reverse("admin:sso_apps_application_add_general")


def general_url(connector) -> str:
    return f"{GENERAL_URL}?connector={connector.slug}"


def general_post(**overrides) -> dict:
    data = {
        "display_label": "GoToAssist",
        "description": "Remote support",
        "portal_image_kind": "logo",
        "portal_color": "#2f5bea",
        "show_in_portal": "on",
        "idp_suffix": "gotoassist",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- Step 1: the catalog -------------------------------------------------------------


@pytest.mark.django_db
def test_add_new_application_opens_the_catalog_grid(admin_client, connector_factory):
    connector_factory(name="GoToAssist", slug="gotoassist")
    connector_factory(name="Slack", slug="slack")

    response = admin_client.get(CATALOG_URL)

    page = response.text
    assert response.status_code == 200
    assert "Add New Application" in page
    assert 'name="q"' in page
    assert 'value="gotoassist"' in page and 'value="slack"' in page
    assert ">Next</button>" in page
    assert f'action="{GENERAL_URL}"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["gotoa", "GOTO", "support"])
def test_catalog_search_works_without_javascript(admin_client, connector_factory, query):
    connector_factory(name="GoToAssist", slug="gotoassist", category="support")
    connector_factory(name="Slack", slug="slack")

    cards = admin_client.get(CATALOG_URL, {"q": query}).context["cards"]

    assert [card["connector"].slug for card in cards] == ["gotoassist"]


@pytest.mark.django_db
def test_catalog_with_no_match_says_so(admin_client, connector_factory):
    connector_factory(name="Slack", slug="slack")
    assert "No application matches your search." in admin_client.get(CATALOG_URL, {"q": "zz"}).text


def _bulk_templates(count: int) -> None:
    templates = []
    for index in range(count):
        template = ConnectorTemplate(
            slug=f"synthetic-{index}",
            name=f"Synthetic {index}",
            type="saml",
            category="it_ops" if index % 2 else "finance",
            keywords=[f"kw{index % 7}"],
        )
        # bulk_create skips save(), which is what fills the search column.
        template.search_text = " ".join(
            [template.name, template.slug, template.category, *template.keywords]
        ).lower()
        templates.append(template)
    ConnectorTemplate.objects.bulk_create(templates, batch_size=500)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "synthetic 1", "it_ops kw3"])
def test_catalog_search_costs_the_same_few_queries_with_2000_templates(admin_client, query):
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(CATALOG_URL, {"q": query})
        assert response.status_code == 200
        return len(captured), response.context["page"].paginator.count

    _bulk_templates(20)
    small, small_count = queries()
    ConnectorTemplate.objects.all().delete()
    _bulk_templates(2000)
    large, large_count = queries()

    assert large_count > small_count
    # A result that fits on one page is counted from its own rows: one query fewer.
    expected = small + 1 if small_count <= CATALOG_PAGE_SIZE < large_count else small
    assert large == expected
    assert large <= 10


# --- Step 2: General Info --------------------------------------------------------------


@pytest.mark.django_db
def test_next_shows_general_info_with_the_defaults(admin_client, connector_factory):
    connector = connector_factory(name="GoToAssist", slug="gotoassist")

    response = admin_client.get(general_url(connector))

    form = response.context["form"]
    page = response.text
    assert form["display_label"].value() == "GoToAssist"
    assert form["idp_suffix"].value() == "gotoassist"
    assert form["show_in_portal"].value() is True
    assert form["portal_image_kind"].value() == "logo"
    assert "bookmark_url" not in form.fields
    for label in ("Display Label", "Description", "User Portal Image", "Show in User Portal"):
        assert label in page
    assert "Advanced" in page and "IdP URL suffix" in page
    assert "Save Application" in page


@pytest.mark.django_db
def test_suggested_suffix_skips_one_already_taken(
    admin_client, connector_factory, application_factory
):
    connector = connector_factory(name="Slack", slug="slack")
    application_factory(connector=connector, display_label="Slack")

    form = admin_client.get(general_url(connector)).context["form"]

    assert form["idp_suffix"].value() == "slack-2"


@pytest.mark.django_db
def test_next_without_a_connector_goes_back_to_the_catalog(admin_client):
    response = admin_client.get(GENERAL_URL, follow=True)
    assert response.redirect_chain[-1][0] == CATALOG_URL
    assert "Select an application from the catalog" in response.text


@pytest.mark.django_db
def test_save_application_creates_app_config_and_key_pair(
    admin_client, administrator, connector_factory
):
    connector = connector_factory(name="GoToAssist", slug="gotoassist")

    response = admin_client.post(general_url(connector), general_post())

    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:sso_apps_application_created", args=[application.pk]
    )
    assert (application.display_label, application.description) == ("GoToAssist", "Remote support")
    assert application.idp_suffix == "gotoassist"
    assert application.show_in_portal is True
    assert application.saml.sp_entity_id == "https://YOURDOMAIN.goto.com/saml"
    assert application.key_pairs.filter(status="active").count() == 1
    event = AuditEvent.objects.get(action="application.create")
    assert (event.actor_email, event.target_label) == (administrator.email, "GoToAssist")


@pytest.mark.django_db
def test_show_in_user_portal_can_be_turned_off(admin_client, connector_factory):
    connector = connector_factory()
    admin_client.post(general_url(connector), general_post(show_in_portal=None))
    assert Application.objects.get().show_in_portal is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("suffix", "error"),
    [
        ("taken", "Another application already uses"),
        ("not a slug!", "Enter a valid"),
    ],
)
def test_idp_suffix_must_be_a_free_slug(
    admin_client, connector_factory, application_factory, suffix, error
):
    application_factory(idp_suffix="taken")
    connector = connector_factory()

    response = admin_client.post(general_url(connector), general_post(idp_suffix=suffix))

    assert response.status_code == 200
    assert error in str(response.context["form"].errors["idp_suffix"])
    assert Application.objects.count() == 1


# --- Step 3: the success page -----------------------------------------------------------


@pytest.mark.django_db
def test_success_page_offers_configure_application_and_close(admin_client, saml_app):
    response = admin_client.get(reverse("admin:sso_apps_application_created", args=[saml_app.pk]))

    page = response.text
    sso_url = reverse("admin:sso_apps_application_sso", args=[saml_app.pk])
    list_url = reverse("admin:sso_apps_application_changelist")
    assert f'href="{sso_url}">Configure Application</a>' in page
    assert f'href="{list_url}">Close</a>' in page
    assert admin_client.get(sso_url).status_code == 200
    assert admin_client.get(list_url).status_code == 200


@pytest.mark.django_db
def test_bookmark_success_page_configures_the_details(
    admin_client, connector_factory, application_factory
):
    app = application_factory(connector=connector_factory(bookmark=True))
    page = admin_client.get(reverse("admin:sso_apps_application_created", args=[app.pk])).text
    details = reverse("admin:sso_apps_application_change", args=[app.pk])
    assert f'href="{details}">Configure Application</a>' in page


# --- Bookmarks --------------------------------------------------------------------------


@pytest.mark.django_db
def test_bookmark_connector_asks_for_the_bookmark_url(admin_client, connector_factory):
    connector = connector_factory(bookmark=True, name="Bookmark", slug="bookmark")

    response = admin_client.get(general_url(connector))
    assert "Bookmark URL" in response.text

    admin_client.post(
        general_url(connector),
        general_post(
            display_label="Wiki", idp_suffix="wiki", bookmark_url="https://wiki.acme.test/"
        ),
    )
    application = Application.objects.get()
    assert application.bookmark_url == "https://wiki.acme.test/"
    assert application.is_bookmark
    assert not hasattr(application, "saml") or not application.is_saml


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript://%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.acme.test/",
        "",
    ],
)
def test_bookmark_url_must_be_http_or_https(admin_client, connector_factory, url):
    connector = connector_factory(bookmark=True)

    response = admin_client.post(
        general_url(connector), general_post(idp_suffix="wiki", bookmark_url=url)
    )

    assert response.status_code == 200
    assert "bookmark_url" in response.context["form"].errors
    assert not Application.objects.exists()


# --- User Portal Image uploads ------------------------------------------------------------


@pytest.mark.django_db
def test_uploaded_png_is_accepted_and_re_encoded_without_metadata(admin_client, connector_factory):
    upload = png_upload()
    original = upload.read()
    upload.seek(0)

    response = admin_client.post(
        general_url(connector_factory()),
        general_post(portal_image_kind="upload", portal_image=upload),
    )

    assert response.status_code == 302
    application = Application.objects.get()
    stored = application.portal_image.read()
    assert application.portal_image.name.endswith(".png")
    assert stored != original
    assert SECRET_COMMENT.encode() not in stored
    with Image.open(application.portal_image.path) as image:
        assert image.format == "PNG"
        assert "Comment" not in image.info


@pytest.mark.django_db
def test_uploaded_jpeg_is_accepted(admin_client, connector_factory):
    response = admin_client.post(
        general_url(connector_factory()),
        general_post(portal_image_kind="upload", portal_image=jpeg_upload()),
    )
    assert response.status_code == 302
    assert Application.objects.get().portal_image.name.endswith(".jpg")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make_upload", "message"),
    [
        (svg_upload, "SVG images are refused because they can contain scripts"),
        (fake_png_upload, "not a readable PNG, JPEG or WebP image"),
        (lambda: noisy_png_upload(1024 * 1024 + 1), "the limit is 1.0"),
    ],
    ids=["svg", "fake-png", "over-1-MB"],
)
def test_bad_uploads_are_refused_with_the_reason(
    admin_client, connector_factory, make_upload, message
):
    response = admin_client.post(
        general_url(connector_factory()),
        general_post(portal_image_kind="upload", portal_image=make_upload()),
    )

    assert response.status_code == 200
    assert message in str(response.context["form"].errors["portal_image"])
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_upload_choice_without_a_file_is_refused(admin_client, connector_factory):
    response = admin_client.post(
        general_url(connector_factory()), general_post(portal_image_kind="upload")
    )
    assert "Upload an image" in str(response.context["form"].errors["portal_image"])
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_colour_indicator_stores_the_colour(admin_client, connector_factory):
    admin_client.post(
        general_url(connector_factory()),
        general_post(portal_image_kind="color", portal_color="#12ab34"),
    )
    application = Application.objects.get()
    assert (application.portal_image_kind, application.portal_color) == ("color", "#12ab34")
    assert not application.portal_image
