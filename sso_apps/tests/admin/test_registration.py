"""What sso_apps registers in the Admin Portal, and the stylesheet and script its pages load."""

from django.contrib import admin

from sso_apps.admin.applications import ApplicationAdmin
from sso_apps.admin.audit import AuditEventAdmin
from sso_apps.admin.catalog import ConnectorTemplateAdmin
from sso_apps.admin.deletion_jobs import ApplicationDeletionJobAdmin
from sso_apps.admin.notifications import NotificationAdmin
from sso_apps.models import (
    Application,
    ApplicationDeletionJob,
    AuditEvent,
    ConnectorTemplate,
    Notification,
)


def test_every_sso_apps_screen_is_registered_with_its_admin():
    registered = {
        model: type(model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "sso_apps"
    }
    assert registered == {
        Application: ApplicationAdmin,
        AuditEvent: AuditEventAdmin,
        ConnectorTemplate: ConnectorTemplateAdmin,
        ApplicationDeletionJob: ApplicationDeletionJobAdmin,
        Notification: NotificationAdmin,
    }


def test_application_pages_load_our_stylesheet_and_script_besides_djangos():
    media = admin.site._registry[Application].media
    assert media._css["all"] == ["sso_apps/admin.css"]
    assert "sso_apps/admin.js" in media._js
    assert "admin/js/core.js" in media._js


def test_read_only_lists_load_our_stylesheet_only():
    for model in (AuditEvent, ConnectorTemplate):
        media = admin.site._registry[model].media
        assert media._css["all"] == ["sso_apps/admin.css"]
        assert "sso_apps/admin.js" not in media._js
