"""An application's SAML configuration: copied from its connector, then edited on the SSO tab."""

from dataclasses import dataclass, fields
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sso_apps.conf import app_settings
from sso_apps.models import AcsUrl, Application, ConnectorTemplate, SamlAttribute, SamlConfig
from sso_apps.models.applications import (
    MAX_ACS_INDEX,
    validate_domain,
    validate_placeholder_value,
)
from sso_apps.saml.sp_metadata import SpMetadata
from sso_apps.selectors.activation import activation_problems
from sso_apps.selectors.placeholders import (
    DOMAIN_PLACEHOLDER,
    PLACEHOLDER_FIELDS,
    placeholders_of,
    placeholders_remaining,
    template_refill,
    value_templates_of,
)
from sso_apps.services.activation import sso_follow_problems
from sso_apps.services.audit import audit_record
from sso_apps.services.service_providers import service_provider_sync


def saml_config_from_template(
    *, application: Application, connector: ConnectorTemplate
) -> SamlConfig:
    """Create the app's SAML config, ACS URLs and attributes from its connector's defaults."""
    defaults = connector.saml_defaults or {}
    config = SamlConfig(
        application=application,
        idp_entity_id=app_settings.default_idp_entity_id(application.idp_suffix),
        value_templates=value_templates_of(defaults, placeholders_of(application)),
        **{key: _template_value(defaults, key) for key in _TEMPLATE_FIELDS},
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
        AcsUrl(config=config, url=url, is_default=index == 0, index=index)
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


# The connector keys copied one to one onto SamlConfig fields of the same name.
_TEMPLATE_FIELDS = (
    "sp_entity_id",
    "sp_login_url",
    "sp_logout_url",
    "default_relay_state",
    "sp_logout_binding",
    "nameid_format",
    "nameid_source",
    "sign_response",
    "sign_assertion",
)


def _template_value(defaults: dict[str, Any], key: str) -> Any:
    """Return the connector's value for ``key``, or the model field's default when it is blank."""
    # NOTE: ``defaults.get(key, fallback)`` is not enough: a catalog file says "not published,
    # use Tessera's default" with an explicit null, and the key is then present (issue 11).
    value = defaults.get(key)
    if value is None or value == "":
        return SamlConfig._meta.get_field(key).get_default()
    return value


@dataclass
class AcsUrlInput:
    url: str
    is_default: bool = False
    # The SP's AssertionConsumerServiceIndex; None takes the next free number.
    index: int | None = None


@dataclass
class AttributeInput:
    name: str
    source: str
    value: str = ""


@dataclass(frozen=True, kw_only=True)
class SamlConfigInput:
    """The SSO tab's settings; a field left at None keeps its saved value."""

    domain: str | None = None
    idp_entity_id: str | None = None
    sp_entity_id: str | None = None
    sp_login_url: str | None = None
    sp_logout_url: str | None = None
    sp_logout_binding: str | None = None
    nameid_format: str | None = None
    nameid_source: str | None = None
    allow_requested_nameid_format: bool | None = None
    signature_algorithm: str | None = None
    sign_response: bool | None = None
    sign_assertion: bool | None = None
    require_signed_requests: bool | None = None
    accept_sha1_requests: bool | None = None
    encrypt_assertions: bool | None = None
    data_encryption: str | None = None
    sp_certificate: str | None = None
    default_relay_state: str | None = None
    mfa_required: bool | None = None
    mfa_context: str | None = None
    allow_http_sp_urls: bool | None = None
    include_group_attribute: bool | None = None
    group_attribute_name: str | None = None

    def apply_to(self, config: SamlConfig) -> None:
        """Set every given field on the config; None means unchanged."""
        for field in fields(self):
            value = getattr(self, field.name)
            if value is not None:
                setattr(config, field.name, value)


@dataclass(frozen=True)
class SamlConfigSaved:
    """A saved SSO tab and what it still lacks, worked out once for the save."""

    config: SamlConfig
    placeholders_remaining: dict[str, list[str]]
    activation_problems: list[str]
    deactivated: bool


@transaction.atomic
def saml_config_update(
    *,
    application: Application,
    changes: SamlConfigInput = SamlConfigInput(),
    acs_urls: list[AcsUrlInput] | None = None,
    attributes: list[AttributeInput] | None = None,
    placeholder_values: dict[str, str] | None = None,
    request=None,
) -> SamlConfigSaved:
    """Save the SSO tab: settings, ACS URLs and attributes, with placeholders filled in.

    The domain fills YOURDOMAIN; `placeholder_values` fills any other named placeholder.
    ACS URLs and attributes, when given, replace the saved rows. SSO then follows the
    result (off if incomplete, on if complete) and the config version goes up once.
    """
    config = SamlConfig.objects.select_for_update().get(application=application)
    before = {name: getattr(config, name) for name in _AUDITED_FIELDS}
    changes.apply_to(config)
    fill = _Fill.of(config, placeholder_values)
    _config_save(config, fill)
    _acs_urls_replace(config, acs_urls, fill)
    _attributes_replace(config, attributes, fill)
    saved = _sso_follow(application, config, request)
    application.bump_config_version()
    service_provider_sync(application=application)
    audit_record(
        action="application.sso_update",
        request=request,
        target=application,
        application=application,
        details=_audited_changes(config, before),
    )
    return saved


def saml_config_metadata_apply(
    *, application: Application, metadata: SpMetadata, request=None
) -> SamlConfigSaved:
    """Copy what SP metadata says into the SAML config: the one import path.

    Pasted, uploaded and fetched metadata all come through here, so a document means the
    same settings whichever way it arrived.
    """
    # One SP certificate serves both checks; the signing one matters for requests.
    certificate = metadata.signing_certificate_pem or metadata.encryption_certificate_pem
    signed_requests = bool(certificate) and metadata.authn_requests_signed
    changes = SamlConfigInput(
        sp_entity_id=metadata.entity_id,
        sp_logout_url=metadata.slo_url or None,
        sp_logout_binding=metadata.slo_binding if metadata.slo_url else None,
        sp_certificate=certificate or None,
        require_signed_requests=True if signed_requests else None,
        nameid_format=metadata.nameid_format or None,
        data_encryption=metadata.data_encryption,
    )
    acs_urls = [
        AcsUrlInput(url=endpoint.url, is_default=endpoint.is_default, index=endpoint.index)
        for endpoint in metadata.acs_endpoints
    ]
    return saml_config_update(
        application=application, changes=changes, acs_urls=acs_urls, request=request
    )


# Settings whose every change the audit trail names, with the new value: allowing http://
# weakens every SP URL of the app, and the data encryption decides what protects the
# assertions in transit (a downgrade to CBC should be traceable to who and when); whether the
# app requires MFA, and what its assertions then claim, decide who gets in on a password alone.
_AUDITED_FIELDS = ("allow_http_sp_urls", "data_encryption", "mfa_required", "mfa_context")


def _audited_changes(config: SamlConfig, before: dict[str, Any]) -> dict[str, Any] | None:
    changed = {
        name: getattr(config, name)
        for name in _AUDITED_FIELDS
        if getattr(config, name) != before[name]
    }
    return changed or None


@dataclass(frozen=True)
class _Fill:
    """The placeholder values of one save: as filled last time, and as filled now."""

    previous: dict[str, str]
    current: dict[str, str]
    # The non-empty values given in this save only.
    fresh: dict[str, str]
    templates: dict

    @classmethod
    def of(cls, config: SamlConfig, placeholder_values: dict[str, str] | None) -> "_Fill":
        config.domain = (config.domain or "").strip()
        # Checked here, not only in the form: these values are pasted into the URLs
        # assertions go to, whoever calls the service.
        try:
            validate_domain(config.domain)
        except ValidationError as error:
            raise ValidationError({"domain": error.messages}) from None
        given = {name: value.strip() for name, value in (placeholder_values or {}).items()}
        for name, value in given.items():
            try:
                validate_placeholder_value(value)
            except ValidationError as error:
                raise ValidationError({f"placeholder_{name}": error.messages}) from None
        if config.domain:
            given[DOMAIN_PLACEHOLDER] = config.domain
        fresh = {name: value for name, value in given.items() if value}
        previous = dict(config.placeholder_values or {})
        # NOTE: a cleared value is no new value: the fields it filled keep that fill (an
        # emptied Domain box must not put YOURDOMAIN back and switch SSO off).
        return cls(
            previous=previous,
            current={**previous, **fresh},
            fresh=fresh,
            templates=config.value_templates or {},
        )

    def _refill(self, value: str, templates: list[str]) -> str:
        return template_refill(
            value, templates, previous=self.previous, current=self.current, fresh=self.fresh
        )

    def field(self, name: str, value: str) -> str:
        template = self.templates.get(name)
        return self._refill(value, [template] if template else [])

    def acs_url(self, url: str) -> str:
        return self._refill(url, self.templates.get("acs_urls") or [])

    def attribute(self, name: str, value: str) -> str:
        template = (self.templates.get("attributes") or {}).get(name)
        return self._refill(value, [template] if template else [])


def _config_save(config: SamlConfig, fill: _Fill) -> None:
    for field in PLACEHOLDER_FIELDS:
        setattr(config, field, fill.field(field, getattr(config, field) or ""))
    config.placeholder_values = fill.current
    config.full_clean(exclude=["application"])
    _check_sp_entity_id_free(config)
    config.save()


def _sso_follow(application: Application, config: SamlConfig, request) -> SamlConfigSaved:
    # NOTE: placeholders and problems are worked out once here; the SSO tab shows these.
    current = Application.objects.select_related("saml", "connector").get(pk=application.pk)
    remaining = placeholders_remaining(current.saml)
    problems = activation_problems(current, remaining=remaining)
    was_active = current.sso_active
    sso_follow_problems(application=application, problems=problems, request=request)
    return SamlConfigSaved(
        config=config,
        placeholders_remaining=remaining,
        activation_problems=problems,
        deactivated=was_active and not application.sso_active,
    )


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


def _acs_urls_replace(config, acs_urls: list[AcsUrlInput] | None, fill: _Fill) -> None:
    if acs_urls is None:
        rows = list(config.acs_urls.all())
        for acs in rows:
            acs.url = fill.acs_url(acs.url)
        # Checked even when unchanged: un-ticking "Allow http://" must not leave http rows.
        _acs_rows_check(rows)
        AcsUrl.objects.bulk_update(rows, ["url"])
        return
    cleaned = []
    for item in acs_urls:
        url = item.url.strip() and fill.acs_url(item.url.strip())
        if url:
            cleaned.append(AcsUrlInput(url=url, is_default=item.is_default, index=item.index))
    _acs_unique_check([item.url for item in cleaned])
    if cleaned and not any(item.is_default for item in cleaned):
        cleaned[0].is_default = True
    if sum(item.is_default for item in cleaned) > 1:
        raise ValidationError({"acs_urls": _("Mark exactly one ACS URL as the default.")})
    _acs_indexes_assign(cleaned)
    rows = [
        AcsUrl(config=config, url=item.url, is_default=item.is_default, index=item.index)
        for item in cleaned
    ]
    _acs_rows_check(rows)
    config.acs_urls.all().delete()
    AcsUrl.objects.bulk_create(rows)


def _acs_indexes_assign(items: list[AcsUrlInput]) -> None:
    # An AuthnRequest's AssertionConsumerServiceIndex must name exactly one URL.
    given = [item.index for item in items if item.index is not None]
    out_of_range = sorted({index for index in given if not 0 <= index <= MAX_ACS_INDEX})
    if out_of_range:
        raise ValidationError(
            {
                "acs_urls": _("An ACS index must be a number from 0 to %(max)d, not %(indexes)s.")
                % {"max": MAX_ACS_INDEX, "indexes": ", ".join(map(str, out_of_range))}
            }
        )
    duplicates = sorted({index for index in given if given.count(index) > 1})
    if duplicates:
        raise ValidationError(
            {
                "acs_urls": _("Each ACS index may be used only once: %(indexes)s")
                % {"indexes": ", ".join(map(str, duplicates))}
            }
        )
    following = max(given, default=-1) + 1
    for item in items:
        if item.index is None:
            item.index, following = following, following + 1


def _acs_unique_check(urls: list[str]) -> None:
    # The form refuses these too; a caller without the form must not lose one silently.
    duplicates = sorted({url for url in urls if urls.count(url) > 1})
    if duplicates:
        raise ValidationError(
            {
                "acs_urls": _("Each ACS URL may appear only once: %(urls)s")
                % {"urls": ", ".join(duplicates)}
            }
        )


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


def _attributes_replace(config, attributes: list[AttributeInput] | None, fill: _Fill) -> None:
    if attributes is None:
        for attribute in config.attributes.filter(source=SamlAttribute.CONSTANT):
            attribute.value = fill.attribute(attribute.name, attribute.value)
            attribute.save(update_fields=["value"])
        return
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
            fill.attribute(item.name.strip(), item.value)
            if item.source == SamlAttribute.CONSTANT
            else ""
        )
        row = SamlAttribute(config=config, name=item.name.strip(), source=item.source, value=value)
        row.full_clean(exclude=["config"])
        rows.append(row)
    SamlAttribute.objects.bulk_create(rows)
