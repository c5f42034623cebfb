"""Reads of the directory that are more than a one-line query."""

from django.db.models import Count, QuerySet

from accounts.models import User, UserGroup


def user_groups_with_member_count() -> QuerySet[UserGroup]:
    """Return groups annotated with `member_count`, one query for any number of groups."""
    return UserGroup.objects.annotate(member_count=Count("members", distinct=True))


def user_autocomplete(*, term: str) -> QuerySet[User]:
    """Return users whose email, username or names start with the term.

    Prefix matching keeps the lookup index-friendly on 100,000+ users.
    """
    from django.db.models import Q

    term = term.strip()
    if not term:
        return User.objects.none()
    return User.objects.filter(
        Q(email__istartswith=term)
        | Q(username__istartswith=term)
        | Q(first_name__istartswith=term)
        | Q(last_name__istartswith=term)
    )
