import pytest
from django.urls import reverse

from accounts.models import UserGroup
from sso_apps.models import AuditEvent
from sso_apps.tests.admin.helpers import app_url


def group_apps_url(group) -> str:
    return reverse("admin:accounts_usergroup_applications", args=[group.pk])


def selection_post(shown, checked) -> dict:
    return {"shown": [row.pk for row in shown], "checked": [row.pk for row in checked]}


@pytest.mark.django_db
def test_user_groups_tab_lists_every_group_with_a_checkbox(admin_client, saml_app, group_factory):
    engineering = group_factory(name="Engineering")
    sales = group_factory(name="Sales")
    saml_app.authorized_groups.add(sales)

    response = admin_client.get(app_url("groups", saml_app))

    page = response.text
    assert "Users are implicitly denied access until a group is authorised" in page
    assert f'name="checked" value="{engineering.pk}" id="row-{engineering.pk}">' in page
    assert f'name="checked" value="{sales.pk}" id="row-{sales.pk}" checked>' in page
    assert [row["pk"] for row in response.context["rows"]] == [engineering.pk, sales.pk]


@pytest.mark.django_db
def test_saving_authorises_exactly_the_checked_groups(
    admin_client, administrator, saml_app, group_factory
):
    keep, drop, add = group_factory(), group_factory(), group_factory()
    saml_app.authorized_groups.add(keep, drop)

    response = admin_client.post(
        app_url("groups", saml_app), selection_post([keep, drop, add], [keep, add]), follow=True
    )

    assert set(saml_app.authorized_groups.all()) == {keep, add}
    assert "2 groups are authorised" in response.text
    event = AuditEvent.objects.get(action="application.groups_set")
    assert event.actor_email == administrator.email
    assert event.details["groups"] == sorted([keep.name, add.name])


@pytest.mark.django_db
def test_search_filters_the_groups(admin_client, saml_app, group_factory):
    group_factory(name="Engineering")
    group_factory(name="Finance", description="Accounting team")

    rows = admin_client.get(app_url("groups", saml_app), {"q": "accounting"}).context["rows"]

    assert [row["cells"][0] for row in rows] == ["Finance"]


@pytest.mark.django_db
def test_groups_past_100_are_paginated_and_other_pages_keep_their_ticks(admin_client, saml_app):
    UserGroup.objects.bulk_create([UserGroup(name=f"Group {index:03d}") for index in range(130)])
    groups = list(UserGroup.objects.order_by("name"))
    on_page_two = groups[120]
    saml_app.authorized_groups.add(groups[0], on_page_two)

    first = admin_client.get(app_url("groups", saml_app))
    second = admin_client.get(app_url("groups", saml_app), {"p": 2})
    assert len(first.context["rows"]) == 100
    assert len(second.context["rows"]) == 30

    # Page one is saved with only group 5 ticked: group 0 is unticked there, but the
    # tick of group 120, which page one never showed, stays.
    admin_client.post(
        app_url("groups", saml_app) + "?p=1", selection_post(groups[:100], [groups[5]])
    )

    assert set(saml_app.authorized_groups.all()) == {groups[5], on_page_two}


@pytest.mark.django_db
def test_a_tick_for_a_group_not_shown_is_refused(admin_client, saml_app, group_factory):
    shown, hidden = group_factory(), group_factory()

    response = admin_client.post(
        app_url("groups", saml_app), {"shown": [shown.pk], "checked": [hidden.pk]}, follow=True
    )

    assert "The page changed while you were editing" in response.text
    assert not saml_app.authorized_groups.exists()


@pytest.mark.django_db
def test_group_side_applications_tab_writes_the_same_relation(
    admin_client, application_factory, group_factory
):
    group = group_factory(name="Support")
    first, second, third = (application_factory(display_label=f"App {n}") for n in "ABC")
    first.authorized_groups.add(group)

    page = admin_client.get(group_apps_url(group)).text
    assert "Users are implicitly denied access until a group is authorised" in page
    assert f'name="checked" value="{first.pk}" id="row-{first.pk}" checked>' in page
    change_page = admin_client.get(reverse("admin:accounts_usergroup_change", args=[group.pk])).text
    assert group_apps_url(group) in change_page

    admin_client.post(
        group_apps_url(group), selection_post([first, second, third], [second, third])
    )

    assert set(group.applications.all()) == {second, third}
    assert list(first.authorized_groups.all()) == []
    assert list(second.authorized_groups.all()) == [group]
    app_side = admin_client.get(app_url("groups", second)).text
    assert f'name="checked" value="{group.pk}" id="row-{group.pk}" checked>' in app_side
    assert AuditEvent.objects.filter(action="group.applications_set").exists()


@pytest.mark.django_db
def test_group_side_search_finds_apps_by_label_or_connector(
    admin_client, application_factory, connector_factory, group_factory
):
    group = group_factory()
    application_factory(display_label="Payroll")
    application_factory(display_label="Helpdesk", connector=connector_factory(name="Zendesk"))

    rows = admin_client.get(group_apps_url(group), {"q": "zendesk"}).context["rows"]

    assert [row["cells"][0] for row in rows] == ["Helpdesk"]


@pytest.mark.django_db
def test_group_admin_keeps_its_other_features(admin_client, group_factory, user_factory):
    member = user_factory()
    group = group_factory(name="Ops")

    response = admin_client.post(
        reverse("admin:accounts_usergroup_change", args=[group.pk]),
        {"name": "Ops", "description": "Operations", "members": [member.pk]},
    )

    assert response.status_code == 302
    assert list(group.members.all()) == [member]
