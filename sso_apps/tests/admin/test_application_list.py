import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sso_apps.models import IdpKeyPair
from sso_apps.services.applications import application_groups_set, application_sso_activate

LIST_URL = reverse("admin:sso_apps_application_changelist")


def _labels(response) -> list[str]:
    return [app.display_label for app in response.context["cl"].result_list]


@pytest.mark.django_db
def test_list_shows_logo_label_connector_status_groups_and_certificate(
    admin_client, ready_app, group_factory, connector_factory, application_factory
):
    application_groups_set(application=ready_app, groups=[group_factory(), group_factory()])
    application_sso_activate(application=ready_app)
    bookmark = application_factory(
        display_label="Intranet", connector=connector_factory(bookmark=True, name="Bookmark")
    )

    page = admin_client.get(LIST_URL).text

    assert "+ Add New Application" in page
    assert "Ready App" in page and ready_app.connector.name in page
    assert "SSO active" in page and "Bookmark" in page
    assert "IDP Certificate Valid" in page
    assert f"until {ready_app.key_pairs.get(status='active').not_after:%-d %b %Y}" in page
    assert 'class="sso-logo sso-logo--initials"' in page
    rows = {app.pk: app for app in admin_client.get(LIST_URL).context["cl"].result_list}
    assert rows[ready_app.pk].groups_count == 2
    assert rows[bookmark.pk].groups_count == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days_left", "badge"),
    [
        (400, "IDP Certificate Valid"),
        (10, "IDP Certificate Expiring"),
        (-1, "IDP Certificate Expired"),
    ],
)
def test_certificate_badge_follows_expiry(admin_client, saml_app, days_left, badge):
    IdpKeyPair.objects.filter(application=saml_app).update(
        not_after=timezone.now() + datetime.timedelta(days=days_left)
    )
    page = admin_client.get(LIST_URL).text
    assert badge in page
    for other in {
        "IDP Certificate Valid",
        "IDP Certificate Expiring",
        "IDP Certificate Expired",
    } - {badge}:
        assert other not in page


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_the_number_of_apps(
    admin_client, application_factory, group_factory
):
    group = group_factory()

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(LIST_URL)
        assert response.status_code == 200
        return len(queries)

    first = application_factory()
    application_groups_set(application=first, groups=[group])
    one_app = count_queries()
    for _ in range(11):
        application_groups_set(application=application_factory(), groups=[group])
    twelve_apps = count_queries()

    assert len(admin_client.get(LIST_URL).context["cl"].result_list) == 12
    assert twelve_apps == one_app


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("payroll", ["Payroll"]),
        ("Zendesk", ["Helpdesk"]),
        ("active", ["Payroll"]),
        ("inactive", ["Helpdesk"]),
        ("bookmark", ["Wiki"]),
    ],
)
def test_search_by_label_connector_or_status(
    admin_client, application_factory, connector_factory, term, expected
):
    from sso_apps.services.saml_configs import SamlConfigInput, saml_config_update

    payroll = application_factory(display_label="Payroll")
    saml_config_update(application=payroll, changes=SamlConfigInput(domain="acme"))
    application_sso_activate(application=payroll)
    application_factory(display_label="Helpdesk", connector=connector_factory(name="Zendesk"))
    application_factory(display_label="Wiki", connector=connector_factory(bookmark=True))

    assert _labels(admin_client.get(LIST_URL, {"q": term})) == expected


@pytest.mark.django_db
def test_filters_by_status_type_and_connector(admin_client, application_factory, connector_factory):
    zendesk = connector_factory(name="Zendesk")
    application_factory(display_label="Helpdesk", connector=zendesk)
    application_factory(display_label="Other SAML")
    application_factory(display_label="Wiki", connector=connector_factory(bookmark=True))

    assert _labels(admin_client.get(LIST_URL, {"status": "bookmark"})) == ["Wiki"]
    assert _labels(admin_client.get(LIST_URL, {"status": "inactive"})) == [
        "Helpdesk",
        "Other SAML",
    ]
    assert _labels(admin_client.get(LIST_URL, {"connector_type__exact": "bookmark"})) == ["Wiki"]
    assert _labels(admin_client.get(LIST_URL, {"connector__id__exact": zendesk.pk})) == ["Helpdesk"]


@pytest.mark.django_db
def test_list_is_paginated(admin_client, application_factory, settings):
    from sso_apps.admin.applications import ApplicationAdmin

    connector = application_factory().connector
    for _ in range(ApplicationAdmin.list_per_page):
        application_factory(connector=connector)

    first = admin_client.get(LIST_URL)
    assert len(first.context["cl"].result_list) == ApplicationAdmin.list_per_page
    assert len(admin_client.get(LIST_URL, {"p": 2}).context["cl"].result_list) == 1


@pytest.mark.django_db
def test_each_row_links_to_the_application(admin_client, saml_app):
    page = admin_client.get(LIST_URL).text
    assert reverse("admin:sso_apps_application_change", args=[saml_app.pk]) in page


@pytest.mark.django_db
def test_djangos_delete_selected_is_replaced_by_our_delete(admin_client, saml_app):
    response = admin_client.get(LIST_URL)
    choices = [name for name, _label in response.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in choices
    assert "delete_applications" in choices


@pytest.mark.django_db
def test_empty_list_invites_to_add_the_first_application(admin_client, application_factory):
    assert "No SSO applications yet." in admin_client.get(LIST_URL).text

    application_factory(display_label="Payroll")
    assert "No SSO applications yet." not in admin_client.get(LIST_URL).text
    assert "No SSO applications yet." not in admin_client.get(LIST_URL, {"q": "nothing"}).text


@pytest.mark.django_db
def test_list_counts_groups_per_row_without_grouping_every_app(
    admin_client, application_factory, group_factory
):
    # A GROUP BY over the join made PostgreSQL aggregate and sort all apps before the
    # page was cut; the per-row subquery keeps the (display_label, id) index usable.
    groups = [group_factory(), group_factory()]
    two = application_factory(display_label="Two groups")
    application_groups_set(application=two, groups=groups)
    application_factory(display_label="No groups")
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(LIST_URL)
    counts = {app.display_label: app.groups_count for app in response.context["cl"].result_list}
    assert counts == {"No groups": 0, "Two groups": 2}
    listing = [q["sql"] for q in queries if 'FROM "sso_apps_application"' in q["sql"]]
    assert listing
    assert not any('GROUP BY "sso_apps_application"."id"' in sql for sql in listing)


@pytest.mark.django_db
def test_applications_have_the_label_and_id_index_the_list_order_uses():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "sso_apps_application")
    assert constraints["sso_apps_app_label_id_idx"]["columns"] == ["display_label", "id"]


@pytest.mark.django_db
def test_search_needs_every_word_in_label_connector_or_status(
    admin_client, application_factory, connector_factory
):
    zendesk = connector_factory(name="Zendesk")
    application_factory(display_label="Helpdesk EU", connector=zendesk)
    application_factory(display_label="Helpdesk US", connector=zendesk)
    application_factory(display_label="Zendesk notes")

    assert _labels(admin_client.get(LIST_URL, {"q": "zendesk eu"})) == ["Helpdesk EU"]
    assert _labels(admin_client.get(LIST_URL, {"q": "ZENDESK inactive"})) == [
        "Helpdesk EU",
        "Helpdesk US",
        "Zendesk notes",
    ]
    assert _labels(admin_client.get(LIST_URL, {"q": '"desk eu"'})) == ["Helpdesk EU"]
    assert _labels(admin_client.get(LIST_URL, {"q": "desk%"})) == []


@pytest.mark.django_db
def test_connector_filter_offers_only_connectors_in_use(
    admin_client, application_factory, connector_factory
):
    used, other = connector_factory(name="Zendesk"), connector_factory(name="Freshdesk")
    connector_factory(name="Unused Connector")
    application_factory(display_label="Helpdesk", connector=used)
    application_factory(display_label="Helpdesk 2", connector=used)
    application_factory(display_label="Support", connector=other)

    page = admin_client.get(LIST_URL).text
    assert f"?connector__id__exact={used.pk}" in page
    assert f"?connector__id__exact={other.pk}" in page
    assert "Unused Connector" not in page


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL only")
def test_postgresql_answers_the_label_search_from_the_trigram_index(application_factory):
    from sso_apps.admin.applications import STATUS_WORDS
    from sso_apps.models import Application
    from sso_apps.selectors.applications import application_search

    application_factory(display_label="Payroll")
    queryset = application_search(
        queryset=Application.objects.all(), term="payro", status_words=STATUS_WORDS
    )
    with connection.cursor() as cursor:
        # Only the trigram index can then answer, and only if the query's expression is
        # exactly the indexed one (migration 0014_application_label_trgm).
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        plan = queryset.explain()
    assert "sso_apps_app_label_trgm" in plan
