"""The two ready-made admin roles, kept as Django permission groups."""

from django.contrib.auth.models import Group, Permission

ADMINISTRATOR = "Administrator"
READ_ONLY = "Read Only"

# Apps whose models the Admin Portal manages. Django's own auth permissions are left
# to superusers so that no role can grant itself more rights; accounts.rules enforces
# that on every role change.
MANAGED_APPS = ("accounts", "sso_apps", "axes")


def roles_sync_permissions(sender=None, **kwargs):
    """Give Administrator every managed permission and Read Only every view permission.

    Runs after each migrate (and each flush), so models added by later migrations are
    covered too, and the two roles exist even after a flush emptied the tables.
    """
    managed = Permission.objects.filter(content_type__app_label__in=MANAGED_APPS)
    administrator, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    administrator.permissions.add(*managed)
    read_only, _ = Group.objects.get_or_create(name=READ_ONLY)
    read_only.permissions.add(*managed.filter(codename__startswith="view_"))
