"""Who receives the notifications about applications."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from accounts.roles import ADMINISTRATOR
from sso_apps.conf import app_settings


def _active_administrators() -> QuerySet:
    # Not distinct(): Django cannot OR a distinct queryset with another one.
    User = get_user_model()
    return User.objects.filter(groups__name=ADMINISTRATOR, is_staff=True, state=User.State.ACTIVE)


def administrators() -> QuerySet:
    """Return every active staff user holding the Administrator role."""
    return _active_administrators().distinct()


def notification_recipients(actor) -> QuerySet:
    """Return the acting admin plus, if configured, every active Administrator."""
    User = get_user_model()
    recipients = User.objects.none()
    if app_settings.notify_all_administrators:
        recipients = _active_administrators()
    if actor is not None and getattr(actor, "pk", None):
        recipients = recipients | User.objects.filter(pk=actor.pk)
    return recipients.distinct()
