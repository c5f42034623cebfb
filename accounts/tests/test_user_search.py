import pytest
from django.db import connection
from django.urls import reverse

from accounts import selectors
from accounts.models import User


def _emails(queryset):
    return sorted(queryset.values_list("email", flat=True))


@pytest.mark.django_db
def test_every_word_must_match_some_searched_column(user_factory):
    user_factory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    user_factory(email="alan@example.com", first_name="Alan", last_name="Lovelace")
    found = selectors.user_search(queryset=User.objects.all(), term="lovelace ADA")
    assert _emails(found) == ["ada@example.com"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ('"ada lovelace"', ["ada@example.com"]),  # a quoted phrase, as the stock search
        ("100%", []),  # LIKE wildcards are searched for, not obeyed
        ("a_a", []),
        ("   ", ["ada@example.com", "grace@example.com"]),
    ],
)
def test_search_terms_are_split_like_the_stock_admin_search(user_factory, term, expected):
    user_factory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    user_factory(email="grace@example.com", first_name="Grace", last_name="Hopper")
    assert _emails(selectors.user_search(queryset=User.objects.all(), term=term)) == expected


@pytest.mark.django_db
def test_a_word_does_not_match_across_two_columns(user_factory):
    # "ada lovelace" joined as "ada lovelace": the word "alove" must not be found.
    user_factory(email="x@example.com", first_name="Ada", last_name="Lovelace", username="x")
    assert not selectors.user_search(queryset=User.objects.all(), term="alove").exists()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL only")
def test_postgresql_answers_the_search_from_the_trigram_index(user_factory):
    user_factory(email="ada@example.com")
    queryset = selectors.user_search(queryset=User.objects.all(), term="ada@exa")
    with connection.cursor() as cursor:
        # Forbid reading the whole table or a whole B-tree: the plan can then only use
        # the trigram index, and only if the query's expression is exactly the indexed
        # one (migration 0007_user_search_trgm).
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        plan = queryset.explain()
    assert "accounts_user_search_trgm" in plan


@pytest.mark.django_db
def test_department_filter_lists_each_department_once_sorted(admin_client, user_factory):
    for department in ["Sales", "Analytics", "Sales", ""]:
        user_factory(department=department)
    assert selectors.user_departments() == ["", "Analytics", "Sales"]
    page = admin_client.get(reverse("admin:accounts_user_changelist")).text
    assert "?department=Analytics" in page and "?department=Sales" in page


@pytest.mark.django_db
def test_user_search_page_keeps_a_constant_query_count(
    admin_client, user_factory, django_assert_max_num_queries
):
    for n in range(40):
        user_factory(email=f"member{n}@example.com", department=f"Dept {n % 7}")
    with django_assert_max_num_queries(12):
        page = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "member3"}).text
    assert "member3@example.com" in page and "member30@example.com" in page
    assert "member4@example.com" not in page
