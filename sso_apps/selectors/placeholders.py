"""Which named placeholders (YOURDOMAIN, ORG_ID and the like) an app uses and still holds."""

from django.utils.translation import gettext as _

from sso_apps.models import Application, SamlAttribute, SamlConfig

# SamlConfig fields that may hold template placeholders, with the labels admins see.
PLACEHOLDER_FIELDS = {
    "sp_entity_id": "SP Entity ID",
    "sp_login_url": "SP Login URL",
    "sp_logout_url": "SP Logout URL",
    "default_relay_state": "Default RelayState",
}
DOMAIN_PLACEHOLDER = "YOURDOMAIN"


def placeholders_of(application: Application) -> list[str]:
    """Return the placeholders this app's connector uses; YOURDOMAIN is always one."""
    names = list(application.connector.placeholders or [])
    if DOMAIN_PLACEHOLDER not in names:
        names.insert(0, DOMAIN_PLACEHOLDER)
    return names


def placeholders_remaining(config: SamlConfig) -> dict[str, list[str]]:
    """Return {field label: [placeholders]} for every SAML value still holding one."""
    names = placeholders_of(config.application)
    found: dict[str, list[str]] = {}

    def check(label, value):
        hits = [name for name in names if name in (value or "")]
        if hits:
            found.setdefault(label, []).extend(hits)

    for field, label in PLACEHOLDER_FIELDS.items():
        check(label, getattr(config, field))
    for acs in config.acs_urls.all():
        check(_("ACS URL"), acs.url)
    for attribute in config.attributes.all():
        if attribute.source == SamlAttribute.CONSTANT:
            check(_("Attribute %(name)s") % {"name": attribute.name}, attribute.value)
    return found
