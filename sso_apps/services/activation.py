"""Whether an application's SSO may be on, and switching it on once it is complete."""

from django.utils.translation import gettext as _

from sso_apps.models import Application
from sso_apps.services.audit import audit_record
from sso_apps.services.placeholders import placeholders_remaining
from sso_apps.services.service_providers import sp_entity_id_taken


def activation_problems(application: Application) -> list[str]:
    """Return why SSO cannot be activated; an empty list means it can."""
    if application.is_bookmark:
        return [] if application.bookmark_url else [_("The Bookmark URL is empty.")]
    problems = []
    config = application.saml
    for label, names in placeholders_remaining(config).items():
        problems.append(
            _("%(field)s still contains %(names)s.") % {"field": label, "names": ", ".join(names)}
        )
    if not config.sp_entity_id:
        problems.append(_("SP Entity ID is empty."))
    if not config.idp_entity_id:
        problems.append(_("IdP Entity ID is empty."))
    if not config.acs_urls.exists():
        problems.append(_("At least one ACS URL is needed."))
    if config.sp_entity_id and sp_entity_id_taken(config):
        problems.append(_("Another application already uses this SP Entity ID."))
    if not application.key_pairs.filter(status="active").exists():
        problems.append(_("The application has no active IdP certificate."))
    return problems


def sso_deactivate_if_incomplete(*, application: Application, request=None) -> list[str]:
    """Turn SSO off if the saved configuration could not be activated; return why.

    An active app must never point at a placeholder host or have no ACS URL to answer
    to. Unlike an admin's deactivation this one is undone by completing the settings.
    """
    current = Application.objects.select_related("saml", "connector").get(pk=application.pk)
    if not current.sso_active:
        return []
    problems = activation_problems(current)
    if not problems:
        return []
    current.sso_active = application.sso_active = False
    current.save(update_fields=["sso_active", "updated_at"])
    current.bump_config_version()
    application.config_version = current.config_version
    audit_record(
        action="application.deactivate",
        request=request,
        target=application,
        application=application,
        reason=" ".join(["The SSO configuration became incomplete:", *problems]),
    )
    return problems


def sso_activate_if_complete(*, application: Application, request=None) -> None:
    """Turn SSO on if the configuration is complete and no admin switched it off.

    As in JumpCloud an app whose SSO configuration is complete is live once saved; one
    that an admin deactivated stays off until an admin activates it again.
    """
    current = Application.objects.select_related("saml", "connector").get(pk=application.pk)
    if current.sso_active or current.sso_deactivated_at is not None:
        return
    if activation_problems(current):
        return
    current.sso_active = application.sso_active = True
    current.save(update_fields=["sso_active", "updated_at"])
    current.bump_config_version()
    application.config_version = current.config_version
    audit_record(
        action="application.activate",
        request=request,
        target=application,
        application=application,
        reason="The SSO configuration became complete.",
    )
