import pytest
from django.utils import timezone

from sso_apps.models import Notification
from sso_apps.tests.notifications.fixtures import (  # noqa: F401
    _fast_key_pairs,
    admin_request,
    reader,
    second_administrator,
)


@pytest.fixture
def notification_factory():
    """Return a maker of one admin's in-app notification, delivered unless told otherwise."""

    def make(recipient, title="SSO deactivated: Slack", *, delivered=True, read=False):
        now = timezone.now()
        return Notification.objects.create(
            recipient=recipient,
            kind="application.deactivated",
            title=title,
            body=f"Body of {title}",
            channels=["in_app", "email"],
            in_app_delivered_at=now if delivered else None,
            read_at=now if read else None,
        )

    return make
