"""User Authentication → Connector catalog: the shipped templates, read-only."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sso_apps.admin.base import SSO_STYLES, ReadOnlyAdminMixin, SsoMediaMixin
from sso_apps.admin.display import category_label, connector_logo
from sso_apps.models import ConnectorTemplate


class CategoryFilter(admin.SimpleListFilter):
    title = _("category")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        categories = ConnectorTemplate.objects.values_list("category", flat=True).distinct()
        return sorted(((slug, category_label(slug)) for slug in categories), key=lambda c: c[1])

    def queryset(self, request, queryset):
        return queryset.filter(category=self.value()) if self.value() else queryset


@admin.register(ConnectorTemplate)
class ConnectorTemplateAdmin(ReadOnlyAdminMixin, SsoMediaMixin, admin.ModelAdmin):
    list_display = ("logo_preview", "name", "slug", "type", "category_name", "verified_badge")
    list_display_links = ("name",)
    list_filter = ("verified", "type", CategoryFilter)
    search_fields = ("name", "slug", "category", "search_text")
    list_per_page = 100
    fieldsets = (
        (
            None,
            {"fields": ("name", "slug", "type", "category", "description", "docs_url", "verified")},
        ),
        (_("Look"), {"fields": ("logo", "color", "keywords")}),
        (_("SAML defaults"), {"fields": ("placeholders", "saml_defaults", "sources")}),
    )

    # The list's badges need our stylesheet; these read-only pages have nothing to script.
    sso_media = SSO_STYLES

    def get_queryset(self, request):
        # The SAML defaults and sources are JSON blobs only the detail page shows.
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            queryset = queryset.defer("saml_defaults", "sources", "search_text")
        return queryset

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.opts.fields if field.name != "id"]

    # The catalog is data shipped in the repository and loaded with `load_catalog`;
    # edits here would be overwritten by the next load.

    @admin.display(description="")
    def logo_preview(self, obj):
        return connector_logo(obj, size=28)

    @admin.display(description=_("category"), ordering="category")
    def category_name(self, obj):
        return category_label(obj.category)

    @admin.display(description=_("verified"), ordering="verified")
    def verified_badge(self, obj):
        if obj.verified:
            return format_html('<span class="sso-badge sso-badge--ok">{}</span>', _("Verified"))
        return format_html('<span class="sso-badge sso-badge--warn">{}</span>', _("Unverified"))
