import pytest
from django.urls import reverse

from sso_apps.models import Application, ConnectorTemplate
from sso_apps.services import applications as app_services
from sso_apps.services import saml_configs


@pytest.fixture
def connectors(db):
    saml = ConnectorTemplate.objects.create(
        slug="tile-saml",
        name="Tile SAML",
        type="saml",
        category="it_ops",
        logo="sso_apps/logos/slack.svg",
        saml_defaults={
            "sp_entity_id": "https://sp.example.com/{n}",
            "acs_urls": ["https://sp.example.com/acs"],
        },
    )
    bookmark = ConnectorTemplate.objects.create(
        slug="tile-bookmark", name="Bookmark", type="bookmark", category="productivity"
    )
    return {"saml": saml, "bookmark": bookmark}


@pytest.fixture
def tile_factory(connectors):
    """Return a function making an app (active SAML by default) authorised for groups."""

    def make(label, *, groups=(), kind="saml", active=True, **details):
        if kind == "bookmark":
            details.setdefault("bookmark_url", "https://wiki.example.com/")
        application = app_services.application_create(
            connector=connectors[kind], display_label=label, **details
        )
        if kind == "saml":
            saml_configs.saml_config_update(
                application=application,
                changes=saml_configs.SamlConfigInput(
                    sp_entity_id=f"https://sp.example.com/{application.pk}"
                ),
            )
            if active:
                app_services.application_sso_activate(application=application)
            else:
                app_services.application_sso_deactivate(application=application)
        app_services.application_groups_set(application=application, groups=list(groups))
        return application

    return make


def _home(client, **query):
    response = client.get(reverse("console:home"), query)
    assert response.status_code == 200
    return response.text


@pytest.mark.django_db
def test_tiles_show_only_apps_authorised_through_a_group(client, member, tile_factory):
    group = member.user_groups.get()
    tile_factory("Zoom", groups=[group], description="Video meetings")
    tile_factory("Hidden from user", groups=[])
    tile_factory("Inactive SSO", groups=[group], active=False)
    tile_factory("Not in portal", groups=[group], show_in_portal=False)
    tile_factory("Wiki", groups=[group], kind="bookmark")
    client.force_login(member)
    page = _home(client)
    assert "Zoom" in page and "Video meetings" in page and "Wiki" in page
    for hidden in ("Hidden from user", "Inactive SSO", "Not in portal"):
        assert hidden not in page


@pytest.mark.django_db
def test_tiles_are_sorted_by_label(client, member, tile_factory):
    group = member.user_groups.get()
    for label in ("Charlie", "alpha", "Bravo"):
        tile_factory(label, groups=[group])
    client.force_login(member)
    page = _home(client)
    assert page.index("alpha") < page.index("Bravo") < page.index("Charlie")


@pytest.mark.django_db
def test_search_filters_tiles_without_javascript(client, member, tile_factory):
    group = member.user_groups.get()
    tile_factory("Salesforce", groups=[group])
    tile_factory("Slack", groups=[group])
    client.force_login(member)
    page = _home(client, q="sales")
    assert "Salesforce" in page and "Slack" not in page
    assert "No application matches" in _home(client, q="nothing-like-this")


@pytest.mark.django_db
def test_saml_tile_posts_to_idp_initiated_launch_with_csrf(client, member, tile_factory):
    application = tile_factory("Zoom", groups=[member.user_groups.get()])
    client.force_login(member)
    page = _home(client)
    assert f'action="{reverse("saml:init", args=[application.idp_suffix])}"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    # The label is right beside the logo: the image is decorative, not "Zoom Zoom".
    assert 'alt="" width="48"' in page and 'alt="Zoom' not in page


@pytest.mark.django_db
@pytest.mark.parametrize("new_tab", [True, False])
def test_bookmark_tile_opens_its_url_safely(client, member, tile_factory, new_tab):
    tile_factory(
        "Wiki", groups=[member.user_groups.get()], kind="bookmark", open_in_new_tab=new_tab
    )
    client.force_login(member)
    page = _home(client)
    assert 'href="https://wiki.example.com/" rel="noopener noreferrer"' in page
    assert ('target="_blank"' in page) is new_tab


@pytest.mark.django_db
def test_colour_indicator_shows_initials_hidden_from_screen_readers(client, member, tile_factory):
    tile_factory(
        "Grafana Cloud",
        groups=[member.user_groups.get()],
        portal_image_kind="color",
        portal_color="#ff7700",
    )
    client.force_login(member)
    page = _home(client)
    # The tile's label already names the app, so the initials are aria-hidden; orange
    # takes black text (white on #ff7700 is 2.9:1, black 7.2:1).
    assert 'data-css-tile-bg="#ff7700" data-css-tile-fg="#000000" aria-hidden="true">GC<' in page
    assert 'aria-label="Grafana Cloud"' not in page


@pytest.mark.django_db
def test_user_with_no_apps_sees_a_friendly_empty_state(client, member):
    client.force_login(member)
    assert "Ask your administrator" in _home(client)


@pytest.mark.django_db
def test_console_needs_a_constant_number_of_queries_for_300_apps(
    client, member, tile_factory, django_assert_num_queries, connectors
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    group = member.user_groups.get()
    tile_factory("First", groups=[group])
    client.force_login(member)
    with CaptureQueriesContext(connection) as few:
        _home(client)
    template = Application.objects.get()
    copies = [
        Application(
            connector=template.connector,
            connector_type=template.connector_type,
            display_label=f"App {n:03d}",
            idp_suffix=f"app-{n:03d}",
            sso_active=True,
        )
        for n in range(299)
    ]
    Application.objects.bulk_create(copies)
    for application in Application.objects.exclude(pk=template.pk):
        application.authorized_groups.add(group)
    with django_assert_num_queries(len(few.captured_queries)):
        page = _home(client)
    assert page.count('class="tile-item"') == 300


@pytest.mark.django_db
def test_tile_of_an_app_the_user_just_lost_gives_403_not_a_response(client, member, tile_factory):
    application = tile_factory("Zoom", groups=[member.user_groups.get()])
    client.force_login(member)
    _home(client)
    app_services.application_groups_set(application=application, groups=[])
    response = client.post(reverse("saml:init", args=[application.idp_suffix]))
    assert response.status_code == 403
    assert "SAMLResponse" not in response.text


@pytest.mark.django_db
def test_console_home_with_300_apps_costs_at_most_4_queries(
    client, member, tile_factory, django_assert_max_num_queries
):
    group = member.user_groups.get()
    template = tile_factory("First", groups=[group])
    Application.objects.bulk_create(
        Application(
            connector=template.connector,
            connector_type=template.connector_type,
            display_label=f"App {n:03d}",
            idp_suffix=f"app-{n:03d}",
            sso_active=True,
        )
        for n in range(299)
    )
    Application.authorized_groups.through.objects.bulk_create(
        Application.authorized_groups.through(application_id=pk, usergroup_id=group.pk)
        for pk in Application.objects.exclude(pk=template.pk).values_list("pk", flat=True)
    )
    client.force_login(member)
    _home(client)
    with django_assert_max_num_queries(4):
        page = _home(client)
    assert page.count('class="tile-item"') == 300


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["saml", "bookmark"])
def test_tile_markup_escapes_every_admin_value(client, member, tile_factory, kind):
    hostile = '"><script>alert(1)</script>'
    tile_factory(
        f"Evil {hostile}",
        groups=[member.user_groups.get()],
        kind=kind,
        description=hostile,
        portal_image_kind="color",
    )
    client.force_login(member)
    page = _home(client)
    assert "<script>alert(1)" not in page
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_initials_on_a_light_brand_colour_are_black_not_white(client, member, tile_factory):
    # White on #FFCC22 is 1.6:1; black is 13:1 (WCAG AA asks 4.5:1).
    tile_factory(
        "Yellow",
        groups=[member.user_groups.get()],
        portal_image_kind="color",
        portal_color="#FFCC22",
    )
    client.force_login(member)
    assert 'data-css-tile-bg="#FFCC22" data-css-tile-fg="#000000"' in _home(client)
