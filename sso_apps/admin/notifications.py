"""The signed-in admin's notifications: the list behind the header bell, and mark-as-read."""

from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sso_apps.admin.base import ReadOnlyAdminMixin
from sso_apps.models import Notification
from sso_apps.services.notifications import notification_mark_read


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
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every admin sees their own in-app notifications, and only those.

    NOTE: access does not come from model permissions: a notification belongs to its
    recipient, so any active staff user may list and read theirs, and nobody else's
    (get_queryset is the only source of rows, so another admin's id is a 404).
    """

    list_display = ("title", "kind", "created_at", "is_read")
    list_display_links = ("title",)
    list_filter = (ReadFilter, "kind")
    search_fields = ("title", "body")
    list_per_page = 50
    actions = ("mark_read",)
    change_list_template = "admin/sso_apps/notifications/change_list.html"
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

    @admin.display(description=_("read"), boolean=True, ordering="read_at")
    def is_read(self, obj):
        return obj.read_at is not None

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

    def mark_all_read_view(self, request):
        if not self.has_view_permission(request):
            raise Http404
        self._report_read(request, notification_mark_read(user=request.user))
        return HttpResponseRedirect(reverse("admin:sso_apps_notification_changelist"))

    def mark_one_read_view(self, request, pk):
        if (
            not self.has_view_permission(request)
            or not self.get_queryset(request).filter(pk=pk).exists()
        ):
            raise Http404
        self._report_read(request, notification_mark_read(user=request.user, notification_ids=[pk]))
        return HttpResponseRedirect(reverse("admin:sso_apps_notification_changelist"))

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
