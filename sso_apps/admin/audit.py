"""Activity → Audit events: the read-only trail of every admin change and SSO outcome."""

from django.contrib import admin
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from sso_apps.admin.base import SSO_STYLES, ReadOnlyAdminMixin, SsoMediaMixin
from sso_apps.models import AuditEvent

OUTCOME_BADGES = {
    AuditEvent.Outcome.SUCCESS: "ok",
    AuditEvent.Outcome.DENIED: "danger",
    AuditEvent.Outcome.FAILURE: "warn",
}


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, SsoMediaMixin, admin.ModelAdmin):
    list_display = (
        "time",
        "reference",
        "actor_email",
        "action",
        "outcome_badge",
        "target_label",
        "ip_address",
    )
    list_display_links = ("time",)
    list_filter = ("action", "outcome")
    search_fields = ("actor_email", "target_label", "sp_entity_id")
    search_help_text = _(
        "Search by actor email, target or SP entity ID, or by the reference an error page "
        "showed (E-123)."
    )
    date_hierarchy = "created_at"
    # The change page links the actor and the application; fetch both with the row.
    list_select_related = ("actor", "application")
    list_per_page = 100
    fieldsets = (
        (None, {"fields": ("created_at", "action", "outcome", "reason")}),
        (_("Who"), {"fields": ("actor", "actor_email", "ip_address")}),
        (
            _("What"),
            {
                "fields": (
                    "target_type",
                    "target_id",
                    "target_label",
                    "application",
                    "sp_entity_id",
                    "binding",
                    "details",
                )
            },
        ),
    )

    # The list's badges need our stylesheet; these read-only pages have nothing to script.
    sso_media = SSO_STYLES

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "application")

    def get_search_results(self, request, queryset, search_term):
        # An error page's reference (E-123) names one event, which the text search would
        # not find; bare digits may be either, so they match the event and the text.
        pk = AuditEvent.pk_from_reference(search_term)
        if pk is not None and not search_term.strip().isdigit():
            return queryset.filter(pk=pk), False
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if pk is not None:
            found = found | queryset.filter(pk=pk)
        return found, may_have_duplicates

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.opts.fields]

    # The trail is evidence: nobody, superusers included, adds, edits or removes events.

    @admin.display(description=_("time"), ordering="created_at")
    def time(self, obj):
        # A sortable, fixed-width timestamp keeps the columns of a busy trail aligned.
        return date_format(localtime(obj.created_at), "Y-m-d H:i:s")

    @admin.display(description=_("reference"), ordering="pk")
    def reference(self, obj):
        return obj.reference

    @admin.display(description=_("outcome"), ordering="outcome")
    def outcome_badge(self, obj):
        return format_html(
            '<span class="sso-badge sso-badge--{}">{}</span>',
            OUTCOME_BADGES.get(obj.outcome, "neutral"),
            obj.get_outcome_display(),
        )
