"""An application's SAML configuration: copied from its connector, then edited on the SSO tab."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sso_apps.conf import app_settings
from sso_apps.models import AcsUrl, Application, ConnectorTemplate, SamlAttribute, SamlConfig
from sso_apps.services.activation import sso_activate_if_complete, sso_deactivate_if_incomplete
from sso_apps.services.audit import audit_record
from sso_apps.services.placeholders import (
    DOMAIN_PLACEHOLDER,
    PLACEHOLDER_FIELDS,
    placeholders_fill,
    placeholders_of,
)
from sso_apps.services.service_providers import service_provider_sync


def saml_config_from_template(
    *, application: Application, connector: ConnectorTemplate
) -> SamlConfig:
    """Create the app's SAML config, ACS URLs and attributes from its connector's defaults."""
    defaults = connector.saml_defaults or {}
    config = SamlConfig(
        application=application,
        idp_entity_id=app_settings.default_idp_entity_id(application.idp_suffix),
        sp_entity_id=defaults.get("sp_entity_id") or "",
        sp_login_url=defaults.get("sp_login_url") or "",
        sp_logout_url=defaults.get("sp_logout_url") or "",
        sp_logout_binding=defaults.get("sp_logout_binding") or "post",
        nameid_format=defaults.get("nameid_format") or "emailAddress",
        nameid_source=defaults.get("nameid_source") or "email",
        sign_response=defaults.get("sign_response", True),
        sign_assertion=defaults.get("sign_assertion", True),
    )
    group = defaults.get("group_attribute") or {}
    if group.get("enabled"):
        config.include_group_attribute = True
        config.group_attribute_name = group.get("name") or "memberOf"
    config.full_clean(exclude=["application"])
    config.save()
    # Connector defaults come from files, but a URL reaches the database only through the
    # one SP URL rule, whatever its source.
    rows = [
        AcsUrl(config=config, url=url, is_default=index == 0)
        for index, url in enumerate(defaults.get("acs_urls") or [])
    ]
    _acs_rows_check(rows)
    AcsUrl.objects.bulk_create(rows)
    for attribute in defaults.get("attributes") or []:
        if "value" in attribute and attribute.get("value") is not None:
            source, value = SamlAttribute.CONSTANT, str(attribute["value"])
        else:
            source, value = attribute["source"], ""
        SamlAttribute.objects.create(
            config=config, name=attribute["name"], source=source, value=value
        )
    return config


@dataclass
class AcsUrlInput:
    url: str
    is_default: bool = False


@dataclass
class AttributeInput:
    name: str
    source: str
    value: str = ""


@transaction.atomic
def saml_config_update(
    *,
    application: Application,
    request=None,
    acs_urls: list[AcsUrlInput] | None = None,
    attributes: list[AttributeInput] | None = None,
    placeholder_values: dict[str, str] | None = None,
    **fields,
) -> SamlConfig:
    """Save the SSO tab: fields, ACS URLs and attributes, then fill in placeholders.

    `domain` fills YOURDOMAIN; `placeholder_values` fills any other named placeholder.
    """
    config = SamlConfig.objects.select_for_update().get(application=application)
    allowed_http = config.allow_http_sp_urls
    for field, value in fields.items():
        setattr(config, field, value)
    replacements = {name: value.strip() for name, value in (placeholder_values or {}).items()}
    if config.domain:
        replacements[DOMAIN_PLACEHOLDER] = config.domain.strip()
    for field in PLACEHOLDER_FIELDS:
        setattr(config, field, placeholders_fill(getattr(config, field) or "", replacements))
    config.placeholder_values = {**config.placeholder_values, **replacements}
    config.full_clean(exclude=["application"])
    _check_sp_entity_id_free(config)
    config.save()

    if acs_urls is not None:
        _acs_urlsplaceholders_fill(config, acs_urls, replacements)
    else:
        rows = list(config.acs_urls.all())
        for acs in rows:
            acs.url = placeholders_fill(acs.url, replacements)
        # Checked even when unchanged: un-ticking "Allow http://" must not leave http rows.
        _acs_rows_check(rows)
        AcsUrl.objects.bulk_update(rows, ["url"])
    if attributes is not None:
        _attributesplaceholders_fill(config, attributes, replacements)
    else:
        for attribute in config.attributes.filter(source=SamlAttribute.CONSTANT):
            attribute.value = placeholders_fill(attribute.value, replacements)
            attribute.save(update_fields=["value"])

    application.bump_config_version()
    sso_deactivate_if_incomplete(application=application, request=request)
    sso_activate_if_complete(application=application, request=request)
    service_provider_sync(application=application)
    audit_record(
        action="application.sso_update",
        request=request,
        target=application,
        application=application,
        # Allowing http:// weakens every SP URL of the app: the trail says when and who.
        details=(
            {"allow_http_sp_urls": config.allow_http_sp_urls}
            if config.allow_http_sp_urls != allowed_http
            else None
        ),
    )
    return config


def _check_sp_entity_id_free(config: SamlConfig) -> None:
    # Each SP entity may belong to one application: it is how an AuthnRequest finds its app
    # in djangosaml2idp's model, and two apps answering for one SP would be ambiguous.
    names = placeholders_of(config.application)
    if not config.sp_entity_id or any(name in config.sp_entity_id for name in names):
        return
    taken = (
        SamlConfig.objects.filter(sp_entity_id=config.sp_entity_id)
        .exclude(application=config.application)
        .select_related("application")
        .first()
    )
    if taken is not None:
        raise ValidationError(
            {
                "sp_entity_id": _("The application %(label)s already uses this SP Entity ID.")
                % {"label": taken.application.display_label}
            }
        )


def _acs_urlsplaceholders_fill(config, acs_urls, replacements):
    cleaned = []
    for item in acs_urls:
        url = placeholders_fill(item.url.strip(), replacements)
        if url and url not in [existing.url for existing in cleaned]:
            cleaned.append(AcsUrlInput(url=url, is_default=item.is_default))
    if cleaned and not any(item.is_default for item in cleaned):
        cleaned[0].is_default = True
    if sum(item.is_default for item in cleaned) > 1:
        raise ValidationError({"acs_urls": _("Mark exactly one ACS URL as the default.")})
    rows = [AcsUrl(config=config, url=item.url, is_default=item.is_default) for item in cleaned]
    _acs_rows_check(rows)
    config.acs_urls.all().delete()
    AcsUrl.objects.bulk_create(rows)


def _acs_rows_check(rows: list[AcsUrl]) -> None:
    # bulk_create skips full_clean(); run it so every ACS URL meets the SP URL rule.
    problems = []
    for row in rows:
        try:
            row.full_clean(exclude=["config"], validate_unique=False)
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError({"acs_urls": problems})


def _attributesplaceholders_fill(config, attributes, replacements):
    names = [item.name.strip() for item in attributes]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise ValidationError(
            {"attributes": _("Attribute names must be unique: %s") % ", ".join(sorted(duplicates))}
        )
    config.attributes.all().delete()
    rows = []
    for item in attributes:
        value = (
            placeholders_fill(item.value, replacements)
            if item.source == SamlAttribute.CONSTANT
            else ""
        )
        row = SamlAttribute(config=config, name=item.name.strip(), source=item.source, value=value)
        row.full_clean(exclude=["config"])
        rows.append(row)
    SamlAttribute.objects.bulk_create(rows)
