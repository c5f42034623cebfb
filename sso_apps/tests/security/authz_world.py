"""One object of each kind the URL patterns need, and a user for each role of the matrix."""

import hashlib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db.models import Model
from django.utils import timezone
from django_otp_webauthn.models import WebAuthnUserHandle

from accounts.models import UserSession
from accounts.roles import READ_ONLY
from accounts.tests.factories import ROLES, UserFactory, UserGroupFactory, admin_with_role
from sso_apps.models import (
    Application,
    ApplicationDeletionJob,
    AuditEvent,
    ConnectorTemplate,
    Notification,
)
from sso_apps.services import applications as app_services
from sso_apps.services import saml_configs
from sso_apps.services.catalog import CATALOG_DIR, catalog_load

ROLE_NAMES = ("anonymous", "end_user", "other_user", "read_only", "administrator")
MEDIA_FILE = "portal-images/matrix.png"


@dataclass
class World:
    """Ids the URL patterns are filled with, and the users that play each role."""

    application: Application
    users: dict
    objects: dict[str, Model]
    media_path: str
    sessions: dict[str, str] = field(default_factory=dict)


def world_build() -> World:
    """Create an active SAML app with its config and keys, and every other row the URLs need."""
    # A connector the product ships (Slack: YOURDOMAIN in its ACS and login URLs), loaded by
    # the catalog loader as scripts/start does, not a hand-made row.
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(CATALOG_DIR / "slack.yaml", Path(folder) / "slack.yaml")
        catalog_load(directory=Path(folder))
    connector = ConnectorTemplate.objects.get(slug="slack")
    application = app_services.application_create(connector=connector, display_label="Matrix")
    saml_configs.saml_config_update(
        application=application, changes=saml_configs.SamlConfigInput(domain="sp")
    )
    app_services.application_sso_activate(application=application)
    application.refresh_from_db()
    end_user = UserFactory(email="end.user@example.com")
    other_user = UserFactory(email="other.user@example.com")
    group = UserGroupFactory(name="Matrix members", members=[end_user])
    UserGroupFactory(name="Other members", members=[other_user])
    app_services.application_groups_set(application=application, groups=[group])
    administrator = admin_with_role(ROLES["administrator"], email="matrix.admin@example.com")
    users = {
        "anonymous": None,
        "end_user": end_user,
        "other_user": other_user,
        "read_only": admin_with_role(ROLES["read_only"], email="matrix.reader@example.com"),
        "administrator": administrator,
    }
    doomed = app_services.application_create(connector=connector, display_label="Doomed")
    objects = {
        "accounts.user": end_user,
        "accounts.usergroup": group,
        "auth.group": Group.objects.get(name=READ_ONLY),
        "sso_apps.application": application,
        "sso_apps.connectortemplate": connector,
        "sso_apps.auditevent": AuditEvent.objects.create(
            action="matrix.seed", outcome="success", target_label="Matrix"
        ),
        # Delivered in-app to the Administrator, so it is in that inbox and no other.
        "sso_apps.notification": Notification.objects.create(
            recipient=administrator,
            kind="matrix",
            title="Matrix",
            body="Seeded.",
            channels=[Notification.Channel.IN_APP],
            status=Notification.Status.DELIVERED,
            in_app_delivered_at=timezone.now(),
        ),
        "sso_apps.applicationdeletionjob": ApplicationDeletionJob.objects.create(
            application_ids=[doomed.pk], labels_preview=["Doomed"], total=1
        ),
        "axes.accessattempt": AccessAttempt.objects.create(
            username="x@example.com", ip_address="127.0.0.9", user_agent="m", failures_since_start=1
        ),
        "axes.accessfailurelog": AccessFailureLog.objects.create(
            username="x@example.com", ip_address="127.0.0.9", user_agent="m"
        ),
        "axes.accesslog": AccessLog.objects.create(
            username="x@example.com", ip_address="127.0.0.9", user_agent="m"
        ),
    }
    media = Path(settings.MEDIA_ROOT) / MEDIA_FILE
    media.parent.mkdir(parents=True, exist_ok=True)
    media.write_bytes(b"\x89PNG\r\n\x1a\n")
    return World(application=application, users=users, objects=objects, media_path=MEDIA_FILE)


def content_type_id(label: str) -> int:
    return ContentType.objects.get_for_model(apps.get_model(label)).pk


# Rows any signed-in user writes about themselves: their session and its tracking row.
SESSION_MODELS = (Session, UserSession)
# The audit trail of a refusal is what a refused write must leave behind.
REFUSAL_OUTCOMES = (AuditEvent.Outcome.DENIED, AuditEvent.Outcome.FAILURE)


def database_snapshot(*, actor) -> dict[str, str]:
    """Return a hash of every row of every model but sessions and refusal audit events.

    The actor's own sign-in log (axes writes it at sign-in and stamps it at sign-out) is
    about their session too, so it is left out as well, and so is the actor's own WebAuthn
    user handle (a random ID django-otp-webauthn makes once, when they begin adding a passkey
    to their own account: not an Admin Portal write).
    """
    snapshot = {}
    for model in apps.get_models(include_auto_created=True):
        if model in SESSION_MODELS or not model._meta.managed:
            continue
        queryset = model._base_manager.order_by("pk")
        if model is AuditEvent:
            queryset = queryset.exclude(outcome__in=REFUSAL_OUTCOMES)
        if model is AccessLog:
            queryset = queryset.exclude(username=actor.get_username())
        if model is WebAuthnUserHandle:
            queryset = queryset.exclude(user=actor)
        digest = hashlib.sha256()
        for row in queryset.values_list():
            digest.update(repr(row).encode())
        snapshot[model._meta.label] = digest.hexdigest()
    return snapshot
