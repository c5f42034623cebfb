"""Writes to the directory. Views, admin actions and commands call these."""

from collections.abc import Iterable

from django.db import transaction

from accounts.models import User, UserGroup


@transaction.atomic
def user_create(
    *,
    email: str,
    username: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    **fields,
) -> User:
    """Create a user; with no password the account gets an unusable one."""
    return User.objects.create_user(
        email=email,
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        **fields,
    )


def users_set_state(*, users: Iterable[User], state: str) -> int:
    """Set the state of several users at once; return how many changed."""
    if state not in User.State.values:
        raise ValueError(f"Unknown user state {state!r}.")
    ids = [user.pk for user in users]
    return User.objects.filter(pk__in=ids).exclude(state=state).update(state=state)


def user_suspend(*, user: User) -> User:
    """Suspend a user: sign-in and SSO stop, every record stays."""
    users_set_state(users=[user], state=User.State.SUSPENDED)
    user.refresh_from_db(fields=["state"])
    return user


def user_activate(*, user: User) -> User:
    """Let a suspended or staged user sign in again."""
    users_set_state(users=[user], state=User.State.ACTIVE)
    user.refresh_from_db(fields=["state"])
    return user


@transaction.atomic
def group_create(*, name: str, description: str = "") -> UserGroup:
    """Create a user group after validating the name is free (case-insensitively)."""
    group = UserGroup(name=name.strip(), description=description)
    group.full_clean()
    group.save()
    return group


def group_members_add(*, group: UserGroup, users: Iterable[User]) -> UserGroup:
    """Add users to a group; users already in it are left alone."""
    group.members.add(*users)
    return group


def group_members_remove(*, group: UserGroup, users: Iterable[User]) -> UserGroup:
    """Remove users from a group; users not in it are ignored."""
    group.members.remove(*users)
    return group
