import pytest
from django.urls import reverse

from accounts.models import User


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["Lovelace", "ada@", "adal", "Analytics"])
def test_user_search_covers_name_email_username_department(admin_client, user_factory, term):
    user_factory(
        email="ada@example.com", username="adal", last_name="Lovelace", department="Analytics"
    )
    user_factory(email="other@example.com", username="other", last_name="Other", department="Sales")
    page = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": term}).text
    assert "ada@example.com" in page
    assert "other@example.com" not in page


@pytest.mark.django_db
def test_user_list_shows_groups_without_a_query_per_row(
    admin_client, user_factory, group_factory, django_assert_max_num_queries
):
    group = group_factory(name="Pilots")
    group.members.add(*[user_factory() for _ in range(30)])
    with django_assert_max_num_queries(12):
        page = admin_client.get(reverse("admin:accounts_user_changelist")).text
    assert "Pilots" in page


@pytest.mark.django_db
def test_user_list_column_of_directory_groups_is_not_called_groups(admin_client, user_factory):
    # "groups" on a user means their admin roles (the form's field); the column is user groups.
    user_factory()
    page = admin_client.get(reverse("admin:accounts_user_changelist")).text
    assert 'class="column-user_groups_list"' in page
    assert "column-groups" not in page
    assert "<span>User groups</span>" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"state__exact": "suspended"}, "sus@example.com", "act@example.com"),
        ({"is_staff__exact": "1"}, "root.admin@example.com", "act@example.com"),
    ],
)
def test_user_list_filters(admin_client, user_factory, query, shown, hidden):
    user_factory(email="sus@example.com", state=User.State.SUSPENDED)
    user_factory(email="act@example.com")
    page = admin_client.get(reverse("admin:accounts_user_changelist"), query).text
    assert shown in page and hidden not in page


@pytest.mark.django_db
def test_user_list_filters_by_group(admin_client, user_factory, group_factory):
    group = group_factory(members=[user_factory(email="in@example.com")])
    user_factory(email="out@example.com")
    page = admin_client.get(
        reverse("admin:accounts_user_changelist"), {"user_groups__id__exact": group.pk}
    ).text
    assert "in@example.com" in page and "out@example.com" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "start", "end"),
    [("suspend_users", "active", "suspended"), ("activate_users", "suspended", "active")],
)
def test_bulk_state_actions(admin_client, user_factory, action, start, end):
    users = [user_factory(state=start) for _ in range(3)]
    admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": action, "_selected_action": [u.pk for u in users]},
    )
    assert set(
        User.objects.filter(pk__in=[u.pk for u in users]).values_list("state", flat=True)
    ) == {end}


@pytest.mark.django_db
def test_bulk_add_to_group_asks_for_the_group_then_adds(admin_client, user_factory, group_factory):
    users = [user_factory() for _ in range(2)]
    group = group_factory(name="Target")
    url = reverse("admin:accounts_user_changelist")
    selection = {"action": "add_to_group", "_selected_action": [u.pk for u in users]}
    first = admin_client.post(url, selection)
    assert first.status_code == 200 and "Add users to a group" in first.text
    assert group.members.count() == 0
    admin_client.post(url, {**selection, "apply": "1", "group": group.pk})
    assert set(group.members.all()) == set(users)


@pytest.mark.django_db
@pytest.mark.parametrize("usable", [True, False])
def test_admin_creates_user_with_or_without_a_password(admin_client, usable):
    data = {
        "email": "New@Example.com",
        "username": "newbie",
        "first_name": "New",
        "last_name": "User",
        "usable_password": "true" if usable else "false",
    }
    if usable:
        data |= {
            "password1": "a-Long-unguessable-pass-42",
            "password2": "a-Long-unguessable-pass-42",
        }
    response = admin_client.post(reverse("admin:accounts_user_add"), data)
    assert response.status_code == 302, response.text[:3000]
    user = User.objects.get(email="new@example.com")
    assert user.has_usable_password() is usable


@pytest.mark.django_db
def test_department_filter_names_the_blank_value_and_still_filters_on_it(
    admin_client, user_factory
):
    user_factory(email="nodept@example.com", department="")
    user_factory(email="sales@example.com", department="Sales")
    url = reverse("admin:accounts_user_changelist")
    page = admin_client.get(url).text
    # Upstream renders <a href="?department=">​</a>: a link with no name.
    assert '<a href="?department=">(blank)</a>' in page
    filtered = admin_client.get(url, {"department": ""}).text
    assert "nodept@example.com" in filtered and "sales@example.com" not in filtered
