"""User Authentication → SSO Applications: the list, and the wiring of every app page."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _

from sso_apps.admin import application_sso as sso
from sso_apps.admin import application_views as views
from sso_apps.admin.application_delete import DeleteConfirmation
from sso_apps.admin.application_preview import AssertionPreviewView
from sso_apps.admin.base import SsoMediaMixin
from sso_apps.admin.display import application_logo, certificate_badge, status_badge
from sso_apps.forms.applications import ApplicationDetailsForm
from sso_apps.models import Application
from sso_apps.models.catalog import ConnectorType
from sso_apps.selectors import application_list
from sso_apps.selectors.applications import application_connector_ids, application_search
from sso_apps.services.applications import application_update_details
from tessera.search import EstimatedCountPaginator

# Words that search the status column as well as the text columns.
STATUS_WORDS = {
    "active": Q(sso_active=True) & ~Q(connector_type=ConnectorType.BOOKMARK),
    "inactive": Q(sso_active=False) & ~Q(connector_type=ConnectorType.BOOKMARK),
    "bookmark": Q(connector_type=ConnectorType.BOOKMARK),
}


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("active", _("SSO active")),
            ("inactive", _("SSO inactive")),
            ("bookmark", _("Bookmark")),
        ]

    def queryset(self, request, queryset):
        condition = STATUS_WORDS.get(self.value())
        return queryset.filter(condition) if condition is not None else queryset


class ConnectorFilter(admin.RelatedOnlyFieldListFilter):
    """The connectors apps use, found by walking the connector_id index.

    The stock filter runs SELECT DISTINCT connector_id over every app on each page view.
    """

    def field_choices(self, field, request, model_admin):
        used = application_connector_ids()
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False, limit_choices_to={"pk__in": used}, ordering=ordering
        )


@admin.register(Application)
class ApplicationAdmin(SsoMediaMixin, admin.ModelAdmin):
    form = ApplicationDetailsForm
    # The suffix is the app's unique id in its URLs: it tells apart two apps with one label.
    list_display = (
        "logo",
        "display_label",
        "idp_suffix",
        "connector_name",
        "status",
        "groups",
        "certificate",
    )
    list_display_links = ("display_label",)
    list_filter = (StatusFilter, "connector_type", ("connector", ConnectorFilter))
    search_fields = ("display_label", "connector__name")
    search_help_text = _("Search by label, connector, or status: active, inactive, bookmark.")
    list_per_page = 50
    # The unfiltered total would be a second COUNT over every app on each page view.
    show_full_result_count = False
    actions = ("delete_applications",)
    actions_on_bottom = False
    # get_absolute_url is this admin page itself; "View on site" would loop back here.
    view_on_site = False
    readonly_fields = ("idp_suffix", "connector_name", "idp_url")

    def get_queryset(self, request):
        # Connector, groups count and active certificate for every row in a fixed
        # number of queries, so a page of 50 apps costs the same as a page of one.
        return application_list()

    def get_search_results(self, request, queryset, search_term):
        return application_search(
            queryset=queryset, term=search_term, status_words=STATUS_WORDS
        ), False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # No exact COUNT(*) over every app on each unfiltered page view of a big directory.
        return EstimatedCountPaginator(queryset, per_page, orphans, allow_empty_first_page)

    def get_fieldsets(self, request, obj=None):
        general = [
            "display_label",
            "description",
            "portal_image_kind",
            "portal_image",
            "portal_color",
            "show_in_portal",
        ]
        if obj is not None and obj.is_bookmark:
            general += ["bookmark_url", "open_in_new_tab"]
        return [
            (_("General Info"), {"fields": general}),
            (
                _("Advanced"),
                {
                    "fields": ["connector_name", "idp_suffix", "idp_url"],
                    "description": _("The IdP URL suffix cannot be changed after creation."),
                },
            ),
        ]

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        # Django's own bulk delete would skip the typed-count check, the audit trail and
        # the notification; our Delete action replaces it.
        actions.pop("delete_selected", None)
        return actions

    # --- list columns

    @admin.display(description="")
    def logo(self, obj):
        return application_logo(obj)

    @admin.display(description=_("connector"), ordering="connector__name")
    def connector_name(self, obj):
        return obj.connector.name

    @admin.display(description=_("status"), ordering="sso_active")
    def status(self, obj):
        return status_badge(obj)

    @admin.display(description=_("groups"), ordering="groups_count")
    def groups(self, obj):
        return obj.groups_count

    @admin.display(description=_("certificate"))
    def certificate(self, obj):
        if not obj.is_saml:
            return "—"
        pairs = getattr(obj, "active_key_pairs", None)
        if pairs is None:
            pairs = list(obj.key_pairs.filter(status="active"))
        return certificate_badge(pairs[0] if pairs else None, compact=True)

    @admin.display(description=_("IdP URL"))
    def idp_url(self, obj):
        return obj.idp_sso_url if obj.is_saml else "—"

    # --- actions

    @admin.action(description=_("Delete"), permissions=["delete"])
    def delete_applications(self, request, queryset):
        # Back to the list as it was, filters and page kept, as Django does for an action.
        confirmation = DeleteConfirmation(self, request, list(queryset), single=False)
        return confirmation.respond(
            done_url=request.get_full_path(), cancel_url=request.get_full_path()
        )

    # --- views

    def changelist_view(self, request, extra_context=None):
        # A POST here runs an action; Read Only admins get a plain 403 for it rather
        # than Django's "no action selected" redirect.
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied(_("Your role cannot change applications."))
        return super().changelist_view(
            request, {"title": _("SSO Applications"), **(extra_context or {})}
        )

    def add_view(self, request, form_url="", extra_context=None):
        return views.CatalogView.as_view(model_admin=self)(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        # Django's Delete link of the submit row leads to delete_view, which asks for the
        # same typed count as the list's Delete action.
        context = {**(extra_context or {}), "show_save_and_add_another": False}
        if obj is not None:
            context.update(views.application_header(obj, "details"))
        return super().change_view(request, object_id, form_url, context)

    def delete_view(self, request, object_id, extra_context=None):
        application = self.get_object(request, object_id)
        if application is None:
            raise Http404(_("This application does not exist."))
        if not self.has_delete_permission(request, application):
            raise PermissionDenied(_("Your role cannot delete applications."))
        confirmation = DeleteConfirmation(self, request, [application], single=True)
        return confirmation.respond(
            done_url=views.admin_url("changelist"),
            cancel_url=views.admin_url("change", application.pk),
        )

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        application_update_details(application=obj, request=request, **changes)
        views.warn_duplicate_label(request, obj)

    def get_urls(self):
        def page(view_class):
            return self.admin_site.admin_view(view_class.as_view(model_admin=self))

        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("add/general/", page(views.GeneralInfoView), name=f"{name}_add_general"),
            path("<int:pk>/created/", page(views.CreatedView), name=f"{name}_created"),
            path("<int:pk>/sso/", page(sso.SsoTabView), name=f"{name}_sso"),
            path(
                "<int:pk>/sso/import-metadata/",
                page(sso.MetadataImportView),
                name=f"{name}_import_metadata",
            ),
            path(
                "<int:pk>/sso/metadata-url/",
                page(sso.MetadataUrlView),
                name=f"{name}_metadata_url",
            ),
            path(
                "<int:pk>/sso/metadata-url/refresh/",
                page(sso.MetadataRefreshView),
                name=f"{name}_metadata_refresh",
            ),
            path(
                "<int:pk>/sso/certificate/",
                page(sso.CertificateDownloadView),
                name=f"{name}_certificate",
            ),
            path("<int:pk>/sso/metadata/", page(sso.MetadataExportView), name=f"{name}_metadata"),
            path("<int:pk>/preview/", page(AssertionPreviewView), name=f"{name}_preview"),
            path(
                "<int:pk>/sso/certificate/regenerate/",
                page(sso.RegenerateView),
                name=f"{name}_regenerate",
            ),
            path(
                "<int:pk>/sso/certificate/upload/",
                page(sso.KeyPairUploadView),
                name=f"{name}_key_pair_upload",
            ),
            path("<int:pk>/sso/activate/", page(views.ActivateView), name=f"{name}_activate"),
            path("<int:pk>/sso/deactivate/", page(views.DeactivateView), name=f"{name}_deactivate"),
            path("<int:pk>/groups/", page(views.GroupsTabView), name=f"{name}_groups"),
            *super().get_urls(),
        ]
