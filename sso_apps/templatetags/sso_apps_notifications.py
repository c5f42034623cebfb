"""The notification bell of the Admin Portal header."""

from django import template
from django.urls import reverse

from sso_apps.models import Notification

register = template.Library()


@register.inclusion_tag("admin/sso_apps/notifications/bell.html", takes_context=True)
def notification_bell(context):
    """Render a bell linking to the admin's notifications, with the unread count (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not (user.is_authenticated and user.is_active and user.is_staff):
        return {"show": False}
    return {
        "show": True,
        "unread": Notification.objects.inbox(user=user).unread().count(),
        "url": reverse("admin:sso_apps_notification_changelist"),
        "dropdown_url": reverse("admin:sso_apps_notification_dropdown"),
    }
