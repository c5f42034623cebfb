"""Whether an application's SSO may be switched on, and if not, why."""

from django.utils.translation import gettext as _

from sso_apps.models import Application, IdpKeyPair
from sso_apps.selectors.placeholders import placeholders_remaining
from sso_apps.selectors.service_providers import sp_entity_id_taken


def activation_problems(
    application: Application, *, remaining: dict[str, list[str]] | None = None
) -> list[str]:
    """Return why SSO cannot be activated; an empty list means it can.

    `remaining` is placeholders_remaining() of the app's config when the caller has it
    already, so one save looks the placeholders up once.
    """
    if application.is_bookmark:
        return [] if application.bookmark_url else [_("The Bookmark URL is empty.")]
    problems = []
    config = application.saml
    if remaining is None:
        remaining = placeholders_remaining(config)
    for label, names in remaining.items():
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
    if not application.key_pairs.filter(status=IdpKeyPair.Status.ACTIVE).exists():
        problems.append(_("The application has no active IdP certificate."))
    return problems
