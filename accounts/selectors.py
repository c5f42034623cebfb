"""Reads of the directory that are more than a one-line query."""

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower

from accounts.models import User, UserGroup
from tessera.search import SpaceJoined, distinct_column_values, search_words

# What the Users list searches, in the order of the expression the trigram index
# accounts_user_search_trgm (migration 0007) is built over.
USER_SEARCH_FIELDS = ("email", "username", "first_name", "last_name", "display_name", "department")


def user_search_text() -> Lower:
    """Return the lower-cased searched columns, space-separated, as one expression.

    NOTE: migration 0007_user_search_trgm indexes a frozen copy of this expression;
    change both together, or PostgreSQL falls back to reading every user.
    """
    return Lower(SpaceJoined(*USER_SEARCH_FIELDS))


def user_search(*, queryset: QuerySet[User], term: str) -> QuerySet[User]:
    """Return the users of the queryset where every word of the term is in a searched column.

    The stock admin search (an OR of six `UPPER(col) LIKE` per word) reads all 100,000
    users twice per page (count and page); one LIKE over the indexed expression is a
    trigram index lookup instead. A word cannot span two columns: words have no spaces
    and the columns are joined with one; a "quoted phrase" may, which only widens it.
    """
    words = search_words(term)
    if not words:
        return queryset
    queryset = queryset.alias(search_text=user_search_text())
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    return queryset


def user_departments() -> list[str]:
    """Return every department in the directory, sorted, without reading every user."""
    return distinct_column_values(User.objects.all(), "department")


def user_groups_with_member_count() -> QuerySet[UserGroup]:
    """Return groups annotated with `member_count`, one query for any number of groups."""
    return UserGroup.objects.annotate(member_count=Count("members", distinct=True))


def user_autocomplete(*, term: str) -> QuerySet[User]:
    """Return users whose email, username, first or last name starts with the term.

    Each test is a range over an index (emails are stored lower-case; names have
    lower-cased expression indexes), so a lookup stays fast with 100,000+ users where
    LIKE '%term%' would read every row.
    """
    term = term.strip().lower()
    if not term:
        return User.objects.none()
    end = term + "\U0010ffff"
    return User.objects.alias(
        username_ci=Lower("username"), first_ci=Lower("first_name"), last_ci=Lower("last_name")
    ).filter(
        Q(email__gte=term, email__lt=end)
        | Q(username_ci__gte=term, username_ci__lt=end)
        | Q(first_ci__gte=term, first_ci__lt=end)
        | Q(last_ci__gte=term, last_ci__lt=end)
    )
