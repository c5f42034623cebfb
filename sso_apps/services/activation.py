"""Switching an application's SSO off when its configuration is incomplete, on once it is."""

from sso_apps.models import Application
from sso_apps.selectors.activation import activation_problems
from sso_apps.services.audit import audit_record


def sso_activate_if_complete(*, application: Application, request=None) -> None:
    """Turn SSO on if the configuration is complete and no admin switched it off.

    As in JumpCloud an app whose SSO configuration is complete is live once saved; one
    that an admin deactivated stays off until an admin activates it again.
    """
    current = _current(application)
    if current.sso_active or current.sso_deactivated_at is not None:
        return
    if _sso_follow(current, application, activation_problems(current), request):
        application.bump_config_version()


def sso_follow_problems(*, application: Application, problems: list[str], request=None) -> bool:
    """Switch SSO off if there are problems, on if none; return whether it changed.

    An active app must never point at a placeholder host or have no ACS URL to answer
    to; one whose configuration is complete is live once saved, as in JumpCloud. An app
    an admin deactivated stays off until an admin activates it again. The caller bumps
    the configuration version, once per save whatever else the save changed.
    """
    return _sso_follow(_current(application), application, problems, request)


def _sso_follow(current: Application, application: Application, problems, request) -> bool:
    if current.sso_active and problems:
        action = "application.deactivate"
        reason = " ".join(["The SSO configuration became incomplete:", *problems])
    elif not current.sso_active and not problems and current.sso_deactivated_at is None:
        action, reason = "application.activate", "The SSO configuration became complete."
    else:
        return False
    current.sso_active = application.sso_active = not problems
    current.save(update_fields=["sso_active", "updated_at"])
    audit_record(
        action=action, request=request, target=application, application=application, reason=reason
    )
    return True


def _current(application: Application) -> Application:
    return Application.objects.select_related("saml", "connector").get(pk=application.pk)
