"""The Tessera Admin Portal: Django admin, grouped the way the product is."""

from functools import wraps

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

# Sections of the navigation, in order, and the models each one holds
# ("app_label.ModelName"). Models not listed fall under "Administration".
NAVIGATION = (
    (_("User Management"), "user-management", ("accounts.User", "accounts.UserGroup")),
    (
        _("User Authentication"),
        "user-authentication",
        ("sso_apps.Application", "sso_apps.ConnectorTemplate"),
    ),
    (
        _("Activity"),
        "activity",
        ("sso_apps.AuditEvent", "sso_apps.Notification", "sso_apps.ApplicationDeletionJob"),
    ),
)

# djangosaml2idp registers its own ServiceProvider admin, which saves through
# ServiceProvider.save(): that reloads a process-global IdP and crashes on metadata
# without validUntil (djangosaml2idp 0.7.2 defects). SPs are configured on the SSO tab.
HIDDEN_MODELS = {"djangosaml2idp.serviceprovider", "djangosaml2idp.persistentid"}


class TesseraAdminSite(admin.AdminSite):
    site_header = _("Tessera Admin Portal")
    site_title = _("Tessera Admin Portal")
    index_title = _("Dashboard")
    site_url = "/userconsole/"

    def register(self, model_or_iterable, admin_class=None, **options):
        models = [model_or_iterable] if isinstance(model_or_iterable, type) else model_or_iterable
        shown = [model for model in models if model._meta.label_lower not in HIDDEN_MODELS]
        if shown:
            super().register(shown, admin_class, **options)

    def admin_view(self, view, cacheable=False):
        """Refuse signed-in end users with a 403 instead of sending them to a login page."""
        protected = super().admin_view(view, cacheable)

        @wraps(view)
        def inner(request, *args, **kwargs):
            if request.user.is_authenticated and not request.user.is_staff:
                raise PermissionDenied("The Admin Portal is for administrators only.")
            return protected(request, *args, **kwargs)

        return inner

    def get_app_list(self, request, app_label=None):
        """Regroup Django's per-app list into the product's navigation sections."""
        apps = super().get_app_list(request, app_label)
        if app_label:
            return apps
        models = {}
        for app in apps:
            for model in app["models"]:
                models[f"{app['app_label']}.{model['object_name']}"] = model
        sections = []
        for name, slug, keys in NAVIGATION:
            section_models = [models.pop(key) for key in keys if key in models]
            if section_models:
                sections.append(_section(name, slug, section_models))
        if models:
            sections.append(_section(_("Administration"), "administration", list(models.values())))
        return sections


def _section(name, slug, models):
    return {
        "name": name,
        "app_label": slug,
        "app_url": models[0]["admin_url"] or "",
        "has_module_perms": True,
        "models": models,
    }
