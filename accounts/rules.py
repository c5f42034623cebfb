"""Who may change whom in the Admin Portal; pure checks, no writes.

No role can grant itself more rights (accounts.roles): nobody changes their own roles,
only a superuser touches superuser status, individual permissions or a superuser, and a
non-superuser hands out only roles whose permissions they hold themselves.
"""

from django.contrib.auth.models import Group
from django.db.models import QuerySet

from accounts.models import User

ROLE_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


def user_may_manage(*, actor: User, user: User | None) -> bool:
    """Return whether the actor may edit, delete or reset the password of the user at all."""
    if user is None or not user.is_superuser:
        return True
    return actor.is_active and actor.is_superuser


def users_manageable_by(*, actor: User, users: QuerySet[User]) -> QuerySet[User]:
    """Return those of the users that the actor may change (see user_may_manage)."""
    if actor.is_active and actor.is_superuser:
        return users
    return users.filter(is_superuser=False)


def user_role_fields_editable(*, actor: User, user: User | None) -> frozenset[str]:
    """Return the role fields the actor may change on the user's form."""
    if user is None or user.pk == actor.pk:
        return frozenset()
    if not (actor.is_active and actor.has_perm("accounts.change_user")):
        return frozenset()
    if actor.is_superuser:
        return frozenset(ROLE_FIELDS)
    if user.is_superuser:
        return frozenset()
    return frozenset({"is_staff", "groups"})


def user_roles_refusal(*, actor: User, user: User, before: dict, after: dict) -> str | None:
    """Return why the actor may not take the user's roles from before to after, or None."""
    changed = {field for field in ROLE_FIELDS if before[field] != after[field]}
    if not changed:
        return None
    if user.pk == actor.pk:
        return "Nobody may change their own roles."
    if not (actor.is_active and actor.has_perm("accounts.change_user")):
        return "You may not change users."
    if actor.is_superuser:
        return None
    if before["is_superuser"]:
        return "Only a superuser may change a superuser."
    if "is_superuser" in changed:
        return "Only a superuser may grant or revoke superuser status."
    if "user_permissions" in changed:
        return "Only a superuser may grant or revoke individual permissions."
    if "groups" in changed:
        return _roles_beyond_actor(actor, set(before["groups"]) ^ set(after["groups"]))
    return None


def _roles_beyond_actor(actor: User, names: set[str]) -> str | None:
    """Return a refusal if any of the named roles holds a permission the actor lacks."""
    held = actor.get_all_permissions()
    for group in Group.objects.filter(name__in=names).prefetch_related("permissions__content_type"):
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        if not granted <= held:
            return (
                f"You may not grant or revoke the role {group.name!r}: "
                "it has permissions you do not hold."
            )
    return None
