import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services


@pytest.mark.django_db
def test_group_members_add_and_remove(group_factory, user_factory):
    group = group_factory()
    ada, bob = user_factory(), user_factory()
    services.group_members_add(group=group, users=[ada, bob])
    services.group_members_add(group=group, users=[ada])
    assert set(group.members.all()) == {ada, bob}
    services.group_members_remove(group=group, users=[ada])
    assert list(group.members.all()) == [bob]


@pytest.mark.django_db
def test_group_names_are_unique_ignoring_case(group_factory):
    group_factory(name="Engineering")
    with pytest.raises(ValidationError):
        services.group_create(name="engineering")


@pytest.mark.django_db
def test_group_list_shows_member_counts(admin_client, group_factory, user_factory):
    group_factory(name="Crew", members=[user_factory() for _ in range(3)])
    page = admin_client.get(reverse("admin:accounts_usergroup_changelist")).text
    assert '<td class="field-member_count">3</td>' in page


@pytest.mark.django_db
def test_group_members_autocomplete_returns_matching_users(admin_client, user_factory):
    user_factory(email="grace.hopper@example.com", username="ghopper")
    user_factory(email="alan.turing@example.com", username="aturing")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "grace",
            "app_label": "accounts",
            "model_name": "usergroup",
            "field_name": "members",
        },
    )
    assert response.status_code == 200
    texts = [result["text"] for result in json.loads(response.content)["results"]]
    assert texts == ["grace.hopper@example.com"]


@pytest.mark.django_db
def test_group_form_uses_autocomplete_not_a_select_of_every_user(admin_client, user_factory):
    for n in range(50):
        user_factory(email=f"bulk{n}@example.com")
    page = admin_client.get(reverse("admin:accounts_usergroup_add")).text
    assert "admin-autocomplete" in page
    assert "bulk49@example.com" not in page


@pytest.mark.django_db
def test_group_admin_saves_membership_through_the_form(admin_client, user_factory, group_factory):
    group = group_factory(name="Ops", members=[user_factory(email="old@example.com")])
    new = user_factory(email="new@example.com")
    response = admin_client.post(
        reverse("admin:accounts_usergroup_change", args=[group.pk]),
        {"name": "Ops", "description": "", "members": [new.pk]},
    )
    assert response.status_code == 302
    assert list(group.members.values_list("email", flat=True)) == ["new@example.com"]
