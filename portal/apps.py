from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class TesseraAdminConfig(AdminConfig):
    """Replace Django's default admin site with the Tessera Admin Portal."""

    default_site = "portal.admin_site.TesseraAdminSite"


class Saml2IdpConfig(AppConfig):
    """djangosaml2idp, pinned to the primary key type its own migrations create.

    It declares no default_auto_field, so our BigAutoField default would make Django
    want a migration inside site-packages for it.
    """

    name = "djangosaml2idp"
    default_auto_field = "django.db.models.AutoField"
