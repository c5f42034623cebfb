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


@pytest.mark.django_db
def test_paginator_counts_exactly_below_the_threshold_or_when_filtered(monkeypatch):
    UserFactory.create_batch(3)
    monkeypatch.setattr(search, "table_row_estimate", lambda queryset: 1_000_000)
    assert search.EstimatedCountPaginator(User.objects.filter(pk__gt=0), 10).count == 3
    monkeypatch.setattr(search, "ESTIMATE_COUNT_ABOVE", 2_000_000)
    assert search.EstimatedCountPaginator(User.objects.all(), 10).count == 3


@pytest.mark.django_db
def test_paginator_takes_the_estimate_for_a_big_unfiltered_table(monkeypatch):
    UserFactory.create_batch(3)
    monkeypatch.setattr(search, "table_row_estimate", lambda queryset: 150_000)
    assert search.EstimatedCountPaginator(User.objects.all(), 10).count == 150_000


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="reltuples is PostgreSQL's")
def test_table_row_estimate_reads_the_planner_statistics():
    UserFactory.create_batch(4)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user")
    assert search.table_row_estimate(User.objects.all()) == 4


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="the no-op is for other databases")
def test_table_row_estimate_is_unknown_elsewhere():
    assert search.table_row_estimate(User.objects.all()) is None


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
