import pytest
from django.db import connection

from accounts.models import User
from accounts.tests.factories import UserFactory
from tessera import search


@pytest.mark.parametrize(
    ("term", "words"),
    [
        ("Ada  LOVELACE", ["ada", "lovelace"]),
        ('"Ada Lovelace" x', ["ada lovelace", "x"]),
        ("", []),
    ],
)
def test_search_words_split_like_the_admin(term, words):
    assert search.search_words(term) == words


@pytest.mark.django_db
def test_distinct_column_values_walks_every_value_once():
    for department in ["b", "a", "b", "c", "a"]:
        UserFactory(department=department)
    assert search.distinct_column_values(User.objects.all(), "department") == ["a", "b", "c"]


@pytest.mark.django_db
def test_distinct_column_values_of_an_empty_table():
    assert search.distinct_column_values(User.objects.all(), "department") == []


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="reltuples is PostgreSQL's"
)


def _analysed_then_grown(before: int, after: int):
    """Leave the planner's statistics at `before` users while the table holds `after`."""
    UserFactory.create_batch(before)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user")
    UserFactory.create_batch(after - before)


@pytest.mark.django_db
@postgresql_only
def test_a_big_unfiltered_table_is_counted_from_the_estimate(
    monkeypatch, django_assert_num_queries
):
    _analysed_then_grown(4, 6)
    monkeypatch.setattr(search, "ESTIMATE_COUNT_ABOVE", 3)
    with django_assert_num_queries(1):
        assert search.EstimatedCountPaginator(User.objects.all(), 10).count == 4


@pytest.mark.django_db
@postgresql_only
def test_a_small_table_is_counted_exactly_in_one_query(monkeypatch, django_assert_num_queries):
    _analysed_then_grown(4, 6)
    monkeypatch.setattr(search, "ESTIMATE_COUNT_ABOVE", 4)
    with django_assert_num_queries(1):
        assert search.EstimatedCountPaginator(User.objects.all(), 10).count == 6


@pytest.mark.django_db
@pytest.mark.parametrize(
    "queryset",
    [
        lambda: User.objects.filter(pk__gt=0),
        lambda: User.objects.none(),
        lambda: User.objects.values("department").distinct(),
    ],
)
def test_a_filtered_list_is_always_counted_exactly(monkeypatch, queryset):
    _analysed_then_grown(4, 6) if connection.vendor == "postgresql" else UserFactory.create_batch(6)
    monkeypatch.setattr(search, "ESTIMATE_COUNT_ABOVE", 0)
    assert search.EstimatedCountPaginator(queryset(), 10).count == queryset().count()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="the fallback is for other databases")
def test_other_databases_count_exactly():
    UserFactory.create_batch(3)
    assert search.table_count_estimated(User.objects.all(), above=0) is None
    assert search.EstimatedCountPaginator(User.objects.all(), 10).count == 3


@pytest.mark.django_db
@pytest.mark.parametrize(("users", "queries"), [(0, 1), (3, 1), (4, 1), (5, 2)])
def test_first_page_is_counted_from_its_rows_when_it_is_not_full(
    django_assert_num_queries, users, queries
):
    UserFactory.create_batch(users)
    paginator = search.FirstPageCountPaginator(User.objects.order_by("pk"), 4)
    with django_assert_num_queries(queries):
        page = paginator.get_page("1")
        assert paginator.count == users
    assert len(page.object_list) == min(users, 4)
    assert page.number == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("number", "expected"), [("2", 2), ("junk", 1), ("9", 3), (None, 1)])
def test_other_pages_are_answered_like_djangos_paginator(number, expected):
    UserFactory.create_batch(9)
    ours = search.FirstPageCountPaginator(User.objects.order_by("pk"), 4).get_page(number)
    assert ours.number == expected
    stock = search.Paginator(User.objects.order_by("pk"), 4).get_page(number)
    assert list(ours.object_list) == list(stock.object_list)
