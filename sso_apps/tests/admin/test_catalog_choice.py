"""The catalog page keeps a chosen connector that the page it renders does not list."""

import re

import pytest
from django.urls import reverse

from sso_apps.services.catalog import catalog_load

CATALOG_URL = reverse("admin:sso_apps_application_add")


def checked_slugs(page: str) -> list[str]:
    return re.findall(r'name="connector" value="([^"]+)" checked', page)


@pytest.mark.django_db
def test_back_from_general_info_keeps_a_choice_beyond_the_first_page(admin_client):
    catalog_load()  # the shipped catalog: Zoom sorts past the first page

    response = admin_client.get(CATALOG_URL, {"connector": "zoom"})

    page = response.text
    assert "zoom" not in [card["connector"].slug for card in response.context["cards"]]
    assert checked_slugs(page) == ["zoom"]
    assert response.context["chosen"]["connector"].slug == "zoom"
    assert '<div id="catalog-choice" class="sso-catalog-choice">' in page
    assert "Your choice is not among these results; it stays selected." in page
    # Without JavaScript the search form and the page links carry the choice on.
    assert '<input type="hidden" name="connector" value="zoom">' in page
    assert "?q=&amp;" not in page and "connector=zoom&amp;p=2" in page


@pytest.mark.django_db
def test_clear_keeps_the_choice_without_javascript(admin_client):
    catalog_load()

    page = admin_client.get(CATALOG_URL, {"q": "zoom", "connector": "dropbox"}).text

    assert f'href="{CATALOG_URL}?connector=dropbox" data-catalog-clear>Clear</a>' in page


@pytest.mark.django_db
def test_a_listed_choice_is_checked_in_place_and_not_pinned(admin_client):
    catalog_load()

    response = admin_client.get(CATALOG_URL, {"q": "zoom", "connector": "zoom"})

    assert checked_slugs(response.text) == ["zoom"]
    assert '<div id="catalog-choice" class="sso-catalog-choice" hidden>' in response.text
    assert response.context["chosen"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("hostile", ["no-such-app", "<script>", "x" * 5000])
def test_an_unknown_choice_is_dropped(admin_client, hostile):
    catalog_load()

    response = admin_client.get(CATALOG_URL, {"connector": hostile})

    assert response.status_code == 200
    assert checked_slugs(response.text) == []
    assert 'type="hidden" name="connector"' not in response.text
    assert response.context["selected"] == "" and response.context["chosen"] is None
