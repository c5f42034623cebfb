"""Create, configure, activate, authorise and delete SSO applications."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from sso_apps.conf import app_settings
from sso_apps.models import (
    AcsUrl,
    Application,
    AuditEvent,
    ConnectorTemplate,
    SamlAttribute,
    SamlConfig,
)
from sso_apps.models.catalog import ConnectorType
from sso_apps.services.audit import audit_record
from sso_apps.services.certificates import key_pair_generate
from sso_apps.services.notifications import notification_create_for_admins
from sso_apps.services.service_providers import (
    service_provider_sync,
    service_providers_delete,
    sp_entity_id_taken,
)

# SamlConfig fields that may hold template placeholders, with the labels admins see.
PLACEHOLDER_FIELDS = {
    "sp_entity_id": "SP Entity ID",
    "sp_login_url": "SP Login URL",
    "sp_logout_url": "SP Logout URL",
    "default_relay_state": "Default RelayState",
}
DOMAIN_PLACEHOLDER = "YOURDOMAIN"


def idp_suffix_suggest(label: str) -> str:
    """Return a free IdP URL suffix derived from the label: "slack", "slack-2", ..."""
    base = slugify(label)[:90] or "app"
    taken = set(
        Application.objects.filter(idp_suffix__startswith=base).values_list("idp_suffix", flat=True)
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


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
        kind=connector.type,
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
        _saml_config_from_template(application, connector)
        key_pair_generate(application=application, request=request)
        _sso_activate_if_complete(application=application, request=request)
        service_provider_sync(application=application)
    audit_record(
        action="application.create",
        request=request,
        actor=actor,
        target=application,
        application=application,
    )
    return application


def _saml_config_from_template(application: Application, connector: ConnectorTemplate):
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
    for index, url in enumerate(defaults.get("acs_urls") or []):
        AcsUrl.objects.create(config=config, url=url, is_default=index == 0)
    for attribute in defaults.get("attributes") or []:
        if "value" in attribute and attribute.get("value") is not None:
            source, value = SamlAttribute.CONSTANT, str(attribute["value"])
        else:
            source, value = attribute["source"], ""
        SamlAttribute.objects.create(
            config=config, name=attribute["name"], source=source, value=value
        )
    return config


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


def _replace(value: str, replacements: dict[str, str]) -> str:
    for name, replacement in replacements.items():
        if replacement:
            value = value.replace(name, replacement)
    return value


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
    for field, value in fields.items():
        setattr(config, field, value)
    replacements = {name: value.strip() for name, value in (placeholder_values or {}).items()}
    if config.domain:
        replacements[DOMAIN_PLACEHOLDER] = config.domain.strip()
    for field in PLACEHOLDER_FIELDS:
        setattr(config, field, _replace(getattr(config, field) or "", replacements))
    config.placeholder_values = {**config.placeholder_values, **replacements}
    config.full_clean(exclude=["application"])
    _check_sp_entity_id_free(config)
    config.save()

    if acs_urls is not None:
        _acs_urls_replace(config, acs_urls, replacements)
    else:
        for acs in config.acs_urls.all():
            new = _replace(acs.url, replacements)
            if new != acs.url:
                acs.url = new
                acs.save(update_fields=["url"])
    if attributes is not None:
        _attributes_replace(config, attributes, replacements)
    else:
        for attribute in config.attributes.filter(source=SamlAttribute.CONSTANT):
            attribute.value = _replace(attribute.value, replacements)
            attribute.save(update_fields=["value"])

    application.bump_config_version()
    if application.sso_active and placeholders_remaining(config):
        # Never leave an active app pointing at a placeholder host.
        application.sso_active = False
        application.save(update_fields=["sso_active", "updated_at"])
    _sso_activate_if_complete(application=application, request=request)
    service_provider_sync(application=application)
    audit_record(
        action="application.sso_update",
        request=request,
        target=application,
        application=application,
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


def _acs_urls_replace(config, acs_urls, replacements):
    cleaned = []
    for item in acs_urls:
        url = _replace(item.url.strip(), replacements)
        if url and url not in [existing.url for existing in cleaned]:
            cleaned.append(AcsUrlInput(url=url, is_default=item.is_default))
    if cleaned and not any(item.is_default for item in cleaned):
        cleaned[0].is_default = True
    if sum(item.is_default for item in cleaned) > 1:
        raise ValidationError({"acs_urls": _("Mark exactly one ACS URL as the default.")})
    config.acs_urls.all().delete()
    AcsUrl.objects.bulk_create(
        [AcsUrl(config=config, url=item.url, is_default=item.is_default) for item in cleaned]
    )


def _attributes_replace(config, attributes, replacements):
    names = [item.name.strip() for item in attributes]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise ValidationError(
            {"attributes": _("Attribute names must be unique: %s") % ", ".join(sorted(duplicates))}
        )
    config.attributes.all().delete()
    rows = []
    for item in attributes:
        value = _replace(item.value, replacements) if item.source == SamlAttribute.CONSTANT else ""
        row = SamlAttribute(config=config, name=item.name.strip(), source=item.source, value=value)
        row.full_clean(exclude=["config"])
        rows.append(row)
    SamlAttribute.objects.bulk_create(rows)


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


def _sso_activate_if_complete(*, application: Application, request=None) -> None:
    # As in JumpCloud, an app whose SSO configuration is complete is live once saved;
    # one that an admin deactivated stays off until an admin activates it again.
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
            _("You selected %(count)d applications; enter %(count)d to delete them.")
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
