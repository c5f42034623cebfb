"""Why a user would be refused an application, in words an admin can act on."""

from django.utils.translation import gettext as _

from sso_apps.models import Application


def _names(names: list[str]) -> str:
    return ", ".join(names) if names else _("none")


def access_denial_reasons(*, user, application: Application) -> list[str]:
    """Return every reason the IdP would deny this user a sign-in; empty when it would not.

    Mirrors TesseraProcessor.has_access (and so selectors.user_may_use), one reason per test.
    """
    reasons = []
    if not application.sso_active:
        reasons.append(_("SSO is inactive for this application, so nobody can sign in to it."))
    if not user.is_active:
        reasons.append(
            _("The user is %(state)s: suspended and staged users cannot use SSO.")
            % {"state": user.get_state_display().lower()}
        )
    authorised = list(application.authorized_groups.order_by("name").values_list("name", flat=True))
    if not application.authorized_groups.filter(members=user).exists():
        own = list(user.user_groups.order_by("name").values_list("name", flat=True))
        if authorised:
            reasons.append(
                _(
                    "No group authorised for this application includes the user. "
                    "Authorised groups: %(authorised)s. The user's groups: %(own)s."
                )
                % {"authorised": _names(authorised), "own": _names(own)}
            )
        else:
            reasons.append(
                _("No group is authorised for this application yet (the user's groups: %(own)s).")
                % {"own": _names(own)}
            )
    return reasons
