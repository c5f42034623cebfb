"""Admin Portal screens of sso_apps, one module per screen family.

Importing a module registers its ModelAdmins (`@admin.register`), so this list is
exactly what sso_apps shows in the Admin Portal. The others (base, display,
application_views, application_sso) are building blocks the registered admins use.
"""

from sso_apps.admin import (
    applications,
    audit,
    catalog,
    deletion_jobs,
    group_applications,
    notifications,
)

__all__ = [
    "applications",
    "audit",
    "catalog",
    "deletion_jobs",
    "group_applications",
    "notifications",
]
