"""SSO Applications pages besides the SSO tab: the add wizard, User Groups, lifecycle."""

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from accounts.models import UserGroup
from accounts.selectors import user_groups_with_member_count
from sso_apps.admin.base import AdminPageView, SelectionPageView
from sso_apps.admin.display import (
    application_logo,
    category_label,
    connector_logo,
    status_badge,
)
from sso_apps.admin.feedback import with_notification
from sso_apps.forms.applications import (
    ApplicationCreateForm,
    ConnectorChoiceForm,
    ConnectorSearchForm,
)
from sso_apps.forms.errors import form_add_service_error
from sso_apps.models import Application
from sso_apps.selectors import connector_search
from sso_apps.selectors.applications import applications_with_label
from sso_apps.services.applications import (
    application_groups_set,
    application_sso_activate,
    application_sso_deactivate,
)
from sso_apps.services.notifications import notifications_watch
from tessera.search import FirstPageCountPaginator

CATALOG_PAGE_SIZE = 48


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:sso_apps_application_{name}", args=args)


def application_tabs(application: Application, active: str) -> list[dict]:
    """Return the Details | SSO | User Groups tab bar of an application."""
    tabs = [("details", _("Details"), admin_url("change", application.pk))]
    if application.is_saml:
        tabs.append(("sso", _("SSO"), admin_url("sso", application.pk)))
    tabs.append(("groups", _("User Groups"), admin_url("groups", application.pk)))
    return [
        {"key": key, "label": label, "url": url, "active": key == active}
        for key, label, url in tabs
    ]


def application_header(application: Application, active: str) -> dict:
    """Return what the header above every tab needs."""
    return {
        "app_logo": application_logo(application, size=48),
        "app_status": status_badge(application),
        "tabs": application_tabs(application, active),
    }


def warn_duplicate_label(request, application: Application) -> None:
    """Warn, without refusing, when other apps share this app's Display Label.

    Two apps may carry one label on purpose (two tenants of a vendor); the admin should
    know that only the suffix tells them apart, in the list and on the delete screen.
    """
    same_label = applications_with_label(label=application.display_label, exclude_pk=application.pk)
    others = list(same_label[:5])
    if not others:
        return
    count = len(others) if len(others) < 5 else same_label.count()
    messages.warning(
        request,
        ngettext(
            "Another application is also labelled “%(label)s” (suffix %(suffixes)s). Users "
            "see the same name on both tiles; the suffix tells them apart here.",
            "%(count)d other applications are also labelled “%(label)s” (suffixes "
            "%(suffixes)s). Users see the same name on their tiles; the suffix tells them "
            "apart here.",
            count,
        )
        % {
            "label": application.display_label,
            "count": count,
            "suffixes": ", ".join(other.idp_suffix for other in others),
        },
    )


class ApplicationPageView(AdminPageView):
    """A page about one application, with its header and tab bar."""

    tab = ""

    def get_queryset(self):
        return Application.objects.select_related("connector")

    def get_context(self, **extra):
        context = super().get_context(**extra)
        if self.object is not None:
            context.update(application_header(self.object, self.tab))
            context["app"] = self.object
        return context


# --- Add New Application wizard ---------------------------------------------------


def catalog_card(connector) -> dict:
    """Return what one catalog card shows."""
    return {
        "connector": connector,
        "logo": connector_logo(connector, size=44),
        "category": category_label(connector.category),
    }


class CatalogView(AdminPageView):
    """Step 1: a searchable grid of catalog connectors; works without JavaScript."""

    get_permission = "add"
    post_permission = "add"
    http_method_names = ["get", "head"]
    title = _("Add New Application")

    def get(self, request):
        search = ConnectorSearchForm(request.GET)
        query = search.query
        # A search usually fits on one page: then the page's rows are the count.
        page = FirstPageCountPaginator(connector_search(query=query), CATALOG_PAGE_SIZE).get_page(
            request.GET.get("p")
        )
        selected = request.GET.get("connector", "")[:100]
        cards = [catalog_card(connector) for connector in page.object_list]
        listed = any(card["connector"].slug == selected for card in cards)
        # A choice this page does not list (Back from General Info, another search or
        # page) stays selected above the results instead of being silently dropped.
        chosen = None
        if selected and not listed:
            connector = connector_search().filter(slug=selected).first()
            chosen = catalog_card(connector) if connector else None
        if not (listed or chosen):
            selected = ""
        kept = {"q": query, "connector": selected}
        return self.render(
            "admin/sso_apps/application/catalog.html",
            search=search,
            query=query,
            page=page,
            cards=cards,
            chosen=chosen,
            selected=selected,
            step=1,
            page_query=urlencode({key: value for key, value in kept.items() if value}),
        )


class GeneralInfoView(AdminPageView):
    """Step 2: General Info of the chosen connector; Save Application creates the app."""

    get_permission = "add"
    post_permission = "add"
    title = _("General Info")

    def _connector(self, request):
        choice = ConnectorChoiceForm(request.GET)
        if not choice.is_valid():
            messages.error(request, _("Select an application from the catalog, then click Next."))
            return None
        return choice.cleaned_data["connector"]

    def get(self, request):
        connector = self._connector(request)
        if connector is None:
            return redirect(admin_url("add"))
        return self._page(ApplicationCreateForm(connector=connector))

    def post(self, request):
        connector = self._connector(request)
        if connector is None:
            return redirect(admin_url("add"))
        form = ApplicationCreateForm(request.POST, request.FILES, connector=connector)
        if form.is_valid():
            try:
                application = form.save(request=request)
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                warn_duplicate_label(request, application)
                return redirect(admin_url("created", application.pk))
        return self._page(form)

    def _page(self, form):
        return self.render(
            "admin/sso_apps/application/general.html",
            form=form,
            adminform=helpers.AdminForm(form, form.fieldsets, {}, model_admin=self.model_admin),
            connector=form.connector,
            connector_logo=connector_logo(form.connector, size=56),
            step=2,
        )


class CreatedView(ApplicationPageView):
    """Step 3: the app exists; Configure Application or Close."""

    title = _("Application saved")

    def get(self, request, pk):
        return self.render(
            "admin/sso_apps/application/created.html",
            configure_url=admin_url("sso" if self.object.is_saml else "change", self.object.pk),
            close_url=admin_url("changelist"),
            step=3,
        )


# --- User Groups tab ----------------------------------------------------------------


class GroupsTabView(SelectionPageView, ApplicationPageView):
    """Authorise user groups for the app; without one, nobody may use it."""

    tab = "groups"
    template_name = "admin/sso_apps/application/groups.html"
    columns = (_("User group"), _("Description"), _("Members"))
    saved_message = ngettext_lazy(
        "User Groups saved: %(count)d group is authorised.",
        "User Groups saved: %(count)d groups are authorised.",
        "count",
    )

    @property
    def title(self):
        return _("%(app)s · User Groups") % {"app": self.object}

    def candidates(self):
        return user_groups_with_member_count().order_by("name")

    def search(self, queryset, query):
        return queryset.filter(Q(name__icontains=query) | Q(description__icontains=query))

    def current_ids(self):
        return set(self.object.authorized_groups.values_list("pk", flat=True))

    def cells(self, group: UserGroup):
        return [group.name, group.description, group.member_count]

    def save(self, selected):
        application_groups_set(application=self.object, groups=list(selected), request=self.request)


# --- Lifecycle: deactivate, activate (Delete is admin/application_delete.py) ---------


class DeactivateView(ApplicationPageView):
    """Confirm, then turn SSO off; every setting is kept."""

    tab = "sso"
    get_permission = "change"
    title = _("Deactivate SSO")

    def get(self, request, pk):
        return self.render("admin/sso_apps/application/deactivate.html")

    def post(self, request, pk):
        with notifications_watch() as watch:
            application_sso_deactivate(application=self.object, request=request)
        messages.success(
            request,
            with_notification(_("SSO deactivated for %(app)s.") % {"app": self.object}, watch),
        )
        return redirect(admin_url("sso", pk))


class ActivateView(ApplicationPageView):
    """Turn SSO on, or say every reason it cannot be."""

    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            with notifications_watch() as watch:
                application_sso_activate(application=self.object, request=request)
        except ValidationError as error:
            messages.error(
                request,
                format_html(
                    "{}<ul>{}</ul>",
                    _("SSO cannot be activated yet:"),
                    format_html_join("", "<li>{}</li>", ((problem,) for problem in error.messages)),
                ),
            )
        else:
            messages.success(
                request,
                with_notification(_("SSO activated for %(app)s.") % {"app": self.object}, watch),
            )
        return redirect(admin_url("sso", pk))
