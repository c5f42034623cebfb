"""The Tessera Admin Portal: Django admin, grouped the way the product is."""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from console.mfa.signin import password_step_done

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
# django-otp and django-otp-webauthn register admins that show TOTP keys and raw credential
# data; factors are listed (without secrets) and reset on the user's page instead.
HIDDEN_MODELS |= {
    "otp_totp.totpdevice",
    "django_otp_webauthn.webauthncredential",
    "django_otp_webauthn.webauthnattestation",
    "django_otp_webauthn.webauthnuserhandle",
}


class AdminLoginView(LoginView):
    """Django's admin sign-in, followed by the same second step as the User Console."""

    def form_valid(self, form):
        second_step = password_step_done(
            self.request, user=form.get_user(), next_url=self.get_redirect_url()
        )
        return second_step or super().form_valid(form)


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

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        """Django's AdminSite.login with our view, so staff sign-in has the second step.

        NOTE: AdminSite.login builds its LoginView inside the method, with no hook for the
        view class; this repeats its few lines of context with AdminLoginView.
        """
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        context = {
            **self.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        context.update(extra_context or {})
        request.current_app = self.name
        return AdminLoginView.as_view(
            extra_context=context,
            authentication_form=self.login_form or AdminAuthenticationForm,
            template_name=self.login_template or "admin/login.html",
        )(request)

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
