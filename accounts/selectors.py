"""Reads of the directory that are more than a one-line query."""

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower

from accounts.models import User, UserGroup


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
