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


def placeholders_fill(value: str, replacements: dict[str, str]) -> str:
    """Return the value with every named placeholder that has a replacement filled in."""
    for name, replacement in replacements.items():
        if replacement:
            value = value.replace(name, replacement)
    return value


def value_templates_of(defaults: dict, names: list[str]) -> dict:
    """Return the connector values holding a placeholder, as SamlConfig.value_templates has them."""

    def templated(value) -> bool:
        return isinstance(value, str) and any(name in value for name in names)

    templates: dict = {
        field: defaults[field] for field in PLACEHOLDER_FIELDS if templated(defaults.get(field))
    }
    acs = [url for url in defaults.get("acs_urls") or [] if templated(url)]
    if acs:
        templates["acs_urls"] = acs
    attributes = {
        item["name"]: str(item["value"])
        for item in defaults.get("attributes") or []
        if item.get("value") is not None and templated(str(item["value"]))
    }
    if attributes:
        templates["attributes"] = attributes
    return templates


def template_refill(
    value: str,
    templates: list[str],
    *,
    previous: dict[str, str],
    current: dict[str, str],
    fresh: dict[str, str],
) -> str:
    """Return ``value`` filled again from its template when the admin has not edited it.

    NOTE: the rule for hand edits: a value still equal to its template, or to the template
    as filled last time (``previous``), follows the values now in force (``current``); any
    other value is the admin's own and only has the placeholders it still holds filled
    with the values given in this save (``fresh``).
    """
    for template in templates:
        if value in (template, placeholders_fill(template, previous)):
            return placeholders_fill(template, current)
    return placeholders_fill(value, fresh)


def template_state(value: str, templates: list[str], previous: dict[str, str]) -> str | None:
    """Return "filled" if the value follows a template, "edited" if it left it, else None."""
    if not templates:
        return None
    for template in templates:
        if value in (template, placeholders_fill(template, previous)):
            return "filled"
    return "edited"


def template_notes(config: SamlConfig) -> dict:
    """Return which saved values the Domain (or another placeholder) fills, for the SSO tab.

    {"fields": {field: (state, template)}, "acs_urls": {url: (state, template)},
    "attributes": {name: (state, template)}}; state is "filled" or "edited".
    """
    templates = config.value_templates or {}
    previous = config.placeholder_values or {}
    fields = {}
    for field in PLACEHOLDER_FIELDS:
        template = templates.get(field)
        if template:
            state = template_state(getattr(config, field) or "", [template], previous)
            fields[field] = (state, template)
    acs_templates = templates.get("acs_urls") or []
    acs = {}
    for row in config.acs_urls.all():
        for template in acs_templates:
            if template_state(row.url, [template], previous) == "filled":
                acs[row.url] = ("filled", template)
                break
    attributes = {}
    for name, template in (templates.get("attributes") or {}).items():
        row = next((item for item in config.attributes.all() if item.name == name), None)
        if row is not None and row.source == SamlAttribute.CONSTANT:
            attributes[name] = (template_state(row.value, [template], previous), template)
    return {"fields": fields, "acs_urls": acs, "attributes": attributes}
