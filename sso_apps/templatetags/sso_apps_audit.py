"""The Admin Portal index's Recent actions box, from the audit trail."""

from django import template

from sso_apps.admin.recent_actions import recent_actions

register = template.Library()


@register.inclusion_tag("admin/sso_apps/recent_actions.html", takes_context=True)
def audit_recent_actions(context, limit: int = 10):
    """Render the signed-in admin's own latest changes (as Django's box shows its own)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"actions": []}
    return {"actions": recent_actions(user=user, request=request, limit=limit)}
