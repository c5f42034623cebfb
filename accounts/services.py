"""Writes to the directory. Views, admin actions and commands call these."""

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from accounts import rules
from accounts.models import User, UserGroup
from accounts.signals import user_change_refused, user_roles_changed


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


class RoleChangeRefused(PermissionDenied):
    """A change to a user's roles that the actor may not make."""


def user_roles_snapshot(*, user: User) -> dict:
    """Return the user's stored roles as plain, comparable, auditable values."""
    stored = User.objects.only("is_superuser", "is_staff").get(pk=user.pk)
    return {
        "is_superuser": stored.is_superuser,
        "is_staff": stored.is_staff,
        "groups": sorted(stored.groups.values_list("name", flat=True)),
        "user_permissions": _permission_labels(
            stored.user_permissions.select_related("content_type")
        ),
    }


def user_change_refused_report(
    *, actor: User, user: User, reason: str, attempted: dict, request: HttpRequest | None = None
) -> None:
    """Announce a refused change to a user, so the audit trail records it."""
    user_change_refused.send(
        sender=User, actor=actor, user=user, reason=reason, attempted=attempted, request=request
    )


def user_roles_check(
    *,
    actor: User,
    user: User,
    request: HttpRequest | None = None,
    is_superuser: bool | None = None,
    is_staff: bool | None = None,
    groups: Iterable[Group] | None = None,
    user_permissions: Iterable[Permission] | None = None,
) -> tuple[dict, dict]:
    """Return the roles before and after the change; report and refuse a forbidden one.

    A role given as None stays as it is.
    """
    before = user_roles_snapshot(user=user)
    after = {
        "is_superuser": before["is_superuser"] if is_superuser is None else bool(is_superuser),
        "is_staff": before["is_staff"] if is_staff is None else bool(is_staff),
        "groups": before["groups"] if groups is None else sorted({g.name for g in groups}),
        "user_permissions": (
            before["user_permissions"]
            if user_permissions is None
            else _permission_labels(user_permissions)
        ),
    }
    reason = rules.user_roles_refusal(actor=actor, user=user, before=before, after=after)
    if reason is not None:
        attempted = {key: value for key, value in after.items() if value != before[key]}
        user_change_refused_report(
            actor=actor, user=user, reason=reason, attempted=attempted, request=request
        )
        raise RoleChangeRefused(reason)
    return before, after


def user_roles_set(
    *,
    actor: User,
    user: User,
    request: HttpRequest | None = None,
    is_superuser: bool | None = None,
    is_staff: bool | None = None,
    groups: Iterable[Group] | None = None,
    user_permissions: Iterable[Permission] | None = None,
) -> User:
    """Change a user's Admin Portal roles if the actor may; audit the change or the refusal.

    A role given as None stays as it is. Raises RoleChangeRefused (a PermissionDenied).
    """
    groups = None if groups is None else list(groups)
    user_permissions = None if user_permissions is None else list(user_permissions)
    # NOTE: the check runs before, not inside, this service's transaction so that the
    # refusal's audit event is not rolled back together with the refused write.
    before, after = user_roles_check(
        actor=actor,
        user=user,
        request=request,
        is_superuser=is_superuser,
        is_staff=is_staff,
        groups=groups,
        user_permissions=user_permissions,
    )
    if before == after:
        return user
    _user_roles_apply(
        actor=actor,
        user=user,
        request=request,
        before=before,
        after=after,
        groups=groups,
        user_permissions=user_permissions,
    )
    return user


@transaction.atomic
def _user_roles_apply(*, actor, user, request, before, after, groups, user_permissions):
    """Write checked roles, unless the user's roles changed since they were checked."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if user_roles_snapshot(user=locked) != before:
        raise RoleChangeRefused("The user's roles changed meanwhile; reload and try again.")
    locked.is_superuser = after["is_superuser"]
    locked.is_staff = after["is_staff"]
    locked.full_clean()
    locked.save(update_fields=["is_superuser", "is_staff"])
    if groups is not None:
        locked.groups.set(groups)
    if user_permissions is not None:
        locked.user_permissions.set(user_permissions)
    user.is_superuser, user.is_staff = locked.is_superuser, locked.is_staff
    # Django caches permissions on the instance; the caller's copy must not keep old ones.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    user_roles_changed.send(
        sender=User, actor=actor, user=user, before=before, after=after, request=request
    )


def _permission_labels(permissions: Iterable[Permission]) -> list[str]:
    return sorted({f"{perm.content_type.app_label}.{perm.codename}" for perm in permissions})
