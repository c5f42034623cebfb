"""Messages that state what a change did, including the confirmation it sent."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sso_apps.services.notifications import NotificationWatch


def notification_sentence(watch: NotificationWatch) -> str:
    """Return what became of the confirmation notification, or "" if none was written.

    Only a notification whose delivery reached the task queue is "sent"; one whose
    publish failed stays in the outbox for the sweeper, and the admin is told so.
    """
    outcome = watch.outcome
    if outcome == "queued":
        count = watch.recipients
        if count == 1:
            return _("A confirmation notification was sent.")
        return ngettext(
            "Confirmation notifications were sent to %(count)d administrator.",
            "Confirmation notifications were sent to %(count)d administrators.",
            count,
        ) % {"count": count}
    if outcome == "not_queued":
        return _(
            "The confirmation notification could not be queued yet; it will be sent "
            "once the task queue is reachable again."
        )
    return ""


def with_notification(message: str, watch: NotificationWatch) -> str:
    """Return `message` followed by what became of its confirmation notification."""
    sentence = notification_sentence(watch)
    return f"{message} {sentence}" if sentence else message
