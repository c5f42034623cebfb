from django.contrib.admin.apps import AdminConfig


class TesseraAdminConfig(AdminConfig):
    """Replace Django's default admin site with the Tessera Admin Portal."""

    default_site = "portal.admin_site.TesseraAdminSite"
