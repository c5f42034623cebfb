"""Decide which NameID format answers an AuthnRequest's NameIDPolicy (SAML core 3.4.1.1)."""

from sso_apps.saml.constants import NAMEID_FORMAT_NAMES, NAMEID_UNSPECIFIED
from sso_apps.saml.status import invalid_nameid_policy


def nameid_format_resolve(
    *,
    requested: str | None,
    configured: str,
    allow_override: bool,
    sp_name_qualifier: str | None = None,
    sp_entity_id: str = "",
) -> str:
    """Return the NameID format URI to issue; raise the InvalidNameIDPolicy refusal.

    No Format, or `unspecified`, leaves the choice to us: the configured format. Another
    format is issued only if we can issue it at all and the app lets the SP choose
    (`allow_override`); otherwise it must be the configured one.
    """
    if sp_name_qualifier and sp_name_qualifier != sp_entity_id:
        # An affiliation's shared identifier: we keep one per application, never per group.
        raise invalid_nameid_policy(
            f"NameIDs qualified by {sp_name_qualifier!r} are not issued to this service provider."
        )
    if requested is None or requested in (NAMEID_UNSPECIFIED, configured):
        return configured
    if requested not in NAMEID_FORMAT_NAMES:
        raise invalid_nameid_policy(f"The NameID format {requested!r} is not supported.")
    if not allow_override:
        raise invalid_nameid_policy(
            f"This application issues {NAMEID_FORMAT_NAMES.get(configured, configured)} "
            f"NameIDs, not {NAMEID_FORMAT_NAMES[requested]}."
        )
    return requested
