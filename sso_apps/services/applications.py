"""Create, configure, activate, authorise and delete SSO applications."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sso_apps.models import (
    Application,
    AuditEvent,
    ConnectorTemplate,
)
from sso_apps.models.catalog import ConnectorType
from sso_apps.selectors.activation import activation_problems
from sso_apps.selectors.applications import idp_suffix_suggest
from sso_apps.services.activation import sso_activate_if_complete
from sso_apps.services.audit import audit_record
from sso_apps.services.key_pairs import key_pair_generate
from sso_apps.services.notifications import notification_create_for_admins
from sso_apps.services.saml_configs import saml_config_from_template
from sso_apps.services.service_providers import (
    service_provider_sync,
    service_providers_delete,
)


@transaction.atomic
def application_create(
    *,
    connector: ConnectorTemplate,
    display_label: str,
    actor=None,
    request=None,
    idp_suffix: str = "",
    **details,
) -> Application:
    """Create an app from a connector with its SAML config and IdP key pair, atomically."""
    application = Application(
        connector=connector,
        connector_type=connector.type,
        display_label=display_label.strip(),
        idp_suffix=idp_suffix or idp_suffix_suggest(display_label),
        created_by=actor,
        **details,
    )
    if connector.type == ConnectorType.BOOKMARK and not application.bookmark_url:
        raise ValidationError({"bookmark_url": _("A bookmark application needs its URL.")})
    application.full_clean()
    application.save()
    if application.is_saml:
        saml_config_from_template(application=application, connector=connector)
        key_pair_generate(application=application, request=request)
        sso_activate_if_complete(application=application, request=request)
        service_provider_sync(application=application)
    audit_record(
        action="application.create",
        request=request,
        actor=actor,
        target=application,
        application=application,
    )
    return application


@transaction.atomic
def application_update_details(*, application: Application, request=None, **changes):
    """Change the General Info of an app; the IdP URL suffix can never change."""
    if "idp_suffix" in changes and changes["idp_suffix"] != application.idp_suffix:
        raise ValidationError({"idp_suffix": _("The IdP URL suffix cannot be changed.")})
    changes.pop("idp_suffix", None)
    for field, value in changes.items():
        setattr(application, field, value)
    application.full_clean()
    application.save()
    application.bump_config_version()
    audit_record(
        action="application.update",
        request=request,
        target=application,
        application=application,
        details={"fields": sorted(changes)},
    )
    return application


def application_sso_activate(*, application: Application, request=None) -> Application:
    """Turn SSO on; raise ValidationError naming every problem that prevents it.

    A refusal is audited outside the activation's transaction, so the event survives
    the rollback that the raised error causes in any surrounding atomic block.
    """
    try:
        return _application_sso_activate(application=application, request=request)
    except ValidationError as refused:
        audit_record(
            action="application.activate",
            request=request,
            target=application,
            application=application,
            outcome=AuditEvent.Outcome.FAILURE,
            reason=" ".join(refused.messages),
        )
        raise


@transaction.atomic
def _application_sso_activate(*, application: Application, request=None) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    problems = activation_problems(application)
    if problems:
        raise ValidationError(problems)
    if not application.sso_active or application.sso_deactivated_at is not None:
        application.sso_active = True
        application.sso_deactivated_at = None
        application.save(update_fields=["sso_active", "sso_deactivated_at", "updated_at"])
        application.bump_config_version()
    service_provider_sync(application=application)
    audit_record(
        action="application.activate", request=request, target=application, application=application
    )
    notification_create_for_admins(
        actor=getattr(request, "user", None),
        kind="application.activated",
        applications=[application],
    )
    return application


@transaction.atomic
def application_sso_deactivate(*, application: Application, request=None) -> Application:
    """Turn SSO off, keeping every setting."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.sso_active or application.sso_deactivated_at is None:
        application.sso_active = False
        application.sso_deactivated_at = timezone.now()
        application.save(update_fields=["sso_active", "sso_deactivated_at", "updated_at"])
        application.bump_config_version()
    if application.is_saml:
        service_provider_sync(application=application)
    audit_record(
        action="application.deactivate",
        request=request,
        target=application,
        application=application,
    )
    notification_create_for_admins(
        actor=getattr(request, "user", None),
        kind="application.deactivated",
        applications=[application],
    )
    return application


@transaction.atomic
def applications_delete(
    *, applications: Iterable[Application], confirmation_count: int | None, request=None
) -> int:
    """Delete apps, their key pairs and group links, if the typed count matches exactly."""
    selected = list(
        Application.objects.select_for_update().filter(pk__in=[app.pk for app in applications])
    )
    if confirmation_count != len(selected):
        raise ValidationError(
            ngettext(
                "You selected %(count)d application; enter %(count)d to delete it.",
                "You selected %(count)d applications; enter %(count)d to delete them.",
                len(selected),
            )
            % {"count": len(selected)}
        )
    labels = [app.display_label for app in selected]
    for application in selected:
        audit_record(
            action="application.delete",
            request=request,
            target=application,
            target_label=application.display_label,
            details={"suffix": application.idp_suffix},
        )
    notification_create_for_admins(
        actor=getattr(request, "user", None),
        kind="application.deleted",
        applications=selected,
        labels=labels,
    )
    service_providers_delete(application_ids=[app.pk for app in selected])
    Application.objects.filter(pk__in=[app.pk for app in selected]).delete()
    return len(selected)


@transaction.atomic
def application_groups_set(*, application: Application, groups, request=None) -> Application:
    """Authorise exactly these groups for the app (access is otherwise denied)."""
    application.authorized_groups.set(groups)
    application.bump_config_version()
    audit_record(
        action="application.groups_set",
        request=request,
        target=application,
        application=application,
        details={"groups": sorted(group.name for group in groups)},
    )
    return application


@transaction.atomic
def group_applications_set(*, group, applications, request=None):
    """Authorise this group for exactly these apps: the same relation, from the group side."""
    before = set(group.applications.values_list("pk", flat=True))
    group.applications.set(applications)
    after = {app.pk for app in applications}
    for application in Application.objects.filter(pk__in=before ^ after):
        application.bump_config_version()
    audit_record(
        action="group.applications_set",
        request=request,
        target=group,
        details={"applications": sorted(app.display_label for app in applications)},
    )
    return group
