import pytest

from sso_apps.forms.applications import (
    ApplicationCreateForm,
    ApplicationDeleteForm,
    ApplicationDetailsForm,
    ConnectorSearchForm,
)


def create_data(**overrides):
    data = {
        "display_label": "Slack",
        "portal_image_kind": "logo",
        "portal_color": "#2f5bea",
        "show_in_portal": "on",
        "idp_suffix": "slack",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_create_form_defaults_come_from_the_connector(connector_factory):
    connector = connector_factory(name="Slack Enterprise", color="#4a154b")
    form = ApplicationCreateForm(connector=connector)
    assert form["display_label"].value() == "Slack Enterprise"
    assert form["idp_suffix"].value() == "slack-enterprise"
    assert form["portal_color"].value() == "#4a154b"
    assert form["show_in_portal"].value() is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("display_label", "   ", "This field is required"),
        ("portal_color", "red", "#RRGGBB"),
        ("portal_color", "#12345g", "#RRGGBB"),
        ("idp_suffix", "Upper Case", "Enter a valid"),
        ("portal_image_kind", "svg", "Select a valid choice"),
    ],
)
def test_create_form_validates_each_field(connector_factory, field, value, message):
    form = ApplicationCreateForm(create_data(**{field: value}), connector=connector_factory())
    assert not form.is_valid()
    assert message in str(form.errors[field])


@pytest.mark.django_db
def test_idp_suffix_is_lower_cased(connector_factory):
    form = ApplicationCreateForm(create_data(idp_suffix="Slack-EU"), connector=connector_factory())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["idp_suffix"] == "slack-eu"


@pytest.mark.django_db
def test_bookmark_url_exists_only_for_bookmark_connectors(connector_factory):
    assert "bookmark_url" not in ApplicationCreateForm(connector=connector_factory()).fields
    bookmark = ApplicationCreateForm(connector=connector_factory(bookmark=True))
    assert bookmark.fields["bookmark_url"].required


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "valid"),
    [
        ("https://wiki.acme.test/page?x=1", True),
        ("http://intranet.acme.test/", True),
        ("javascript:alert(1)", False),
        ("vbscript:msgbox(1)", False),
        ("data:text/html;base64,PHNjcmlwdD4=", False),
        ("file:///etc/passwd", False),
    ],
)
def test_bookmark_url_scheme(connector_factory, url, valid):
    form = ApplicationCreateForm(
        create_data(bookmark_url=url), connector=connector_factory(bookmark=True)
    )
    assert form.is_valid() is valid


@pytest.mark.django_db
def test_details_form_drops_fields_the_admin_does_not_show(application_factory):
    from django.forms import modelform_factory

    from sso_apps.models import Application

    app = application_factory()
    form_class = modelform_factory(
        Application, form=ApplicationDetailsForm, fields=["display_label", "description"]
    )
    form = form_class(instance=app)
    assert set(form.fields) == {"display_label", "description"}


def test_search_form_trims_the_query():
    assert ConnectorSearchForm({"q": "  slack  "}).query == "slack"
    assert ConnectorSearchForm({}).query == ""


@pytest.mark.parametrize(
    ("value", "valid"), [("3", True), ("0", True), ("-1", False), ("x", False)]
)
def test_delete_form_reads_a_whole_number(value, valid):
    assert ApplicationDeleteForm({"confirmation_count": value}).is_valid() is valid
