"""The signed-in admin's notifications: the bell's dropdown, the full list, mark-as-read.

NOTE: a Read Only admin may mark their own notifications read. Reading is not a change
to the directory or to any application: a notification belongs to its recipient, and
being unable to clear one's own inbox would only make the badge meaningless.
"""

from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from sso_apps.admin.base import SSO_STYLES, ReadOnlyAdminMixin, SsoMediaMixin
from sso_apps.models import Notification
from sso_apps.services.notifications import notification_mark_read

# The bell's dropdown shows this many of the latest notifications, read or not.
DROPDOWN_SIZE = 10
KIND_LABELS = {
    "application.activated": _("SSO activated"),
    "application.deactivated": _("SSO deactivated"),
    "application.deleted": _("Application deleted"),
    "application.deletion_job.done": _("Bulk deletion done"),
    "application.deletion_job.failed": _("Bulk deletion stopped"),
    "certificate.expiring": _("Certificate expiring"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def wants_json(request) -> bool:
    """The dropdown's script asks for JSON; a plain form post gets a redirect."""
    return request.headers.get("Accept", "").startswith("application/json")


class ReadFilter(admin.SimpleListFilter):
    title = _("read")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return (("no", _("Unread")), ("yes", _("Read")))

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(read_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, SsoMediaMixin, admin.ModelAdmin):
    """Every admin sees their own in-app notifications, and only those.

    NOTE: access does not come from model permissions: a notification belongs to its
    recipient, so any active staff user may list and read theirs, and nobody else's
    (get_queryset is the only source of rows, so another admin's id is a 404).
    """

    list_display = ("notification", "kind_name", "sender", "received", "read_status")
    list_display_links = ("notification",)
    list_filter = (ReadFilter, "kind")
    search_fields = ("title", "body")
    list_per_page = 50
    actions = ("mark_read",)
    change_list_template = "admin/sso_apps/notifications/change_list.html"
    # The Unread badge needs our stylesheet; the list has nothing to script.
    sso_media = SSO_STYLES
    change_form_template = "admin/sso_apps/notifications/change_form.html"
    fieldsets = (
        (None, {"fields": ("title", "body")}),
        (_("Details"), {"fields": ("kind", "actor_email", "created_at", "read_at")}),
    )
    readonly_fields = ("title", "body", "kind", "actor_email", "created_at", "read_at")

    def get_queryset(self, request):
        # Only the columns the list and detail show; never the delivery bookkeeping.
        return Notification.objects.inbox(user=request.user).only(
            "title", "body", "kind", "actor_email", "created_at", "read_at", "recipient_id"
        )

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        if not (request.user.is_active and request.user.is_staff):
            return False
        return obj is None or obj.recipient_id == request.user.pk

    # --- list columns, in words rather than codes and icons

    @admin.display(description=_("notification"), ordering="title")
    def notification(self, obj):
        return format_html(
            '<strong>{}</strong><br><span class="notification-excerpt">{}</span>',
            obj.title,
            Truncator(obj.body).chars(140),
        )

    @admin.display(description=_("kind"), ordering="kind")
    def kind_name(self, obj):
        return kind_label(obj.kind)

    @admin.display(description=_("from"), ordering="actor_email")
    def sender(self, obj):
        return obj.actor_email or _("Tessera")

    @admin.display(description=_("received"), ordering="created_at")
    def received(self, obj):
        return format_html(
            '<time datetime="{}">{}</time>',
            obj.created_at.isoformat(),
            _("%(time)s ago") % {"time": timesince(obj.created_at)},
        )

    @admin.display(description=_("status"), ordering="read_at")
    def read_status(self, obj):
        if obj.read_at is None:
            return format_html('<span class="sso-badge sso-badge--warn">{}</span>', _("Unread"))
        return _("Read")

    @admin.action(description=_("Mark selected notifications as read"))
    def mark_read(self, request, queryset):
        count = notification_mark_read(
            user=request.user, notification_ids=list(queryset.values_list("pk", flat=True))
        )
        self._report_read(request, count)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "dropdown/",
                self.admin_site.admin_view(require_GET(self.dropdown_view)),
                name=f"{name}_dropdown",
            ),
            path(
                "read-all/",
                self.admin_site.admin_view(require_POST(self.mark_all_read_view)),
                name=f"{name}_read_all",
            ),
            path(
                "<int:pk>/read/",
                self.admin_site.admin_view(require_POST(self.mark_one_read_view)),
                name=f"{name}_read",
            ),
            *super().get_urls(),
        ]

    def dropdown_view(self, request):
        """Render the bell's panel: the latest notifications and the unread count."""
        if not self.has_view_permission(request):
            raise Http404
        inbox = self.get_queryset(request)
        latest = list(inbox[:DROPDOWN_SIZE])
        return TemplateResponse(
            request,
            "admin/sso_apps/notifications/dropdown.html",
            {
                "items": [{"notification": item, "kind": kind_label(item.kind)} for item in latest],
                "unread": inbox.unread().count(),
                "list_url": reverse("admin:sso_apps_notification_changelist"),
                "next": request.GET.get("next", ""),
            },
        )

    def mark_all_read_view(self, request):
        if not self.has_view_permission(request):
            raise Http404
        return self._marked(request, notification_mark_read(user=request.user))

    def mark_one_read_view(self, request, pk):
        if (
            not self.has_view_permission(request)
            or not self.get_queryset(request).filter(pk=pk).exists()
        ):
            raise Http404
        return self._marked(
            request, notification_mark_read(user=request.user, notification_ids=[pk])
        )

    def _marked(self, request, count: int):
        """Answer the dropdown's script with the new unread count, a form with a redirect."""
        if wants_json(request):
            unread = Notification.objects.inbox(user=request.user).unread().count()
            return JsonResponse({"marked": count, "unread": unread})
        self._report_read(request, count)
        # Back to the page the dropdown was opened on, if it is one of ours.
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("admin:sso_apps_notification_changelist")
        return HttpResponseRedirect(target)

    def _report_read(self, request, count: int) -> None:
        self.message_user(
            request,
            ngettext(
                "Marked %(count)d notification as read.",
                "Marked %(count)d notifications as read.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
