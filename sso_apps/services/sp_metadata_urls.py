"""An application's SP metadata URL: set it, and keep the SP settings fresh from it.

Fetched metadata is applied through saml_config_metadata_apply, the same import as pasted
or uploaded metadata. The network fetch happens outside any transaction; each apply is
one transaction holding the config row's lock, so concurrent refreshes (beat, a worker
re-running a task, the admin's "Refresh metadata now") apply a document at most once and
never leave a half-applied state. A failure keeps the last good values and is recorded
on the row (the SSO tab warns) and in the audit trail.
"""

import hashlib
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sso_apps.conf import app_settings
from sso_apps.models import Application, AuditEvent, SamlConfig, SpMetadataUrl
from sso_apps.saml.errors import KeyPairError, SpMetadataError
from sso_apps.saml.keys import certificate_info
from sso_apps.saml.sp_metadata import SpMetadata, parse_sp_metadata
from sso_apps.saml.sp_metadata_fetch import fetch_sp_metadata
from sso_apps.saml.sp_urls import sp_url_problem
from sso_apps.services.audit import audit_record
from sso_apps.services.saml_configs import saml_config_metadata_apply
from tessera.clock import now as _now

# Errors are shown on the SSO tab and kept on the row; a hostile server chooses their text.
_MAX_ERROR_CHARS = 1000


@dataclass(frozen=True)
class MetadataRefreshed:
    """How one fetch of an SP metadata URL went."""

    ok: bool
    # What changed in the SAML config, {"field": {"from": ..., "to": ...}}; {} if nothing.
    changes: dict
    error: str = ""


def sp_metadata_fetch(*, url: str, allow_http: bool) -> SpMetadata:
    """Fetch and parse the SP metadata at `url`; raise SpMetadataError saying why not."""
    limits = app_settings.metadata_fetch_limits(allow_http=allow_http)
    document = fetch_sp_metadata(url, limits=limits)
    return parse_sp_metadata(document, allow_http=allow_http, max_bytes=limits.max_bytes)


def sp_metadata_url_set(*, application: Application, url: str, request=None) -> MetadataRefreshed:
    """Fetch the metadata at `url` and apply it; keep the URL only if that worked.

    An empty `url` removes the app's metadata URL (the settings it filled stay).
    Raises ValidationError with the reason when the URL or its document is refused.
    """
    url = (url or "").strip()
    config = application.saml
    if not url:
        return _url_remove(application=application, request=request)
    problem = sp_url_problem(url, allow_http=config.allow_http_sp_urls)
    if problem:
        raise ValidationError({"url": problem})
    try:
        metadata = sp_metadata_fetch(url=url, allow_http=config.allow_http_sp_urls)
    except SpMetadataError as error:
        raise ValidationError({"url": error.reason}) from None
    with transaction.atomic():
        config = SamlConfig.objects.select_for_update().get(pk=config.pk)
        before = _snapshot(config)
        saml_config_metadata_apply(application=application, metadata=metadata, request=request)
        changes = _diff(before, _snapshot(SamlConfig.objects.get(pk=config.pk)))
        moment = _now()
        SpMetadataUrl.objects.update_or_create(
            config=config,
            defaults={
                "url": url,
                "applied": _jsonable(metadata),
                "fetched_at": moment,
                "refreshed_at": moment,
                "changed_at": moment,
                "error": "",
                "error_at": None,
            },
        )
        audit_record(
            action="application.sp_metadata_url_set",
            request=request,
            target=application,
            application=application,
            sp_entity_id=metadata.entity_id,
            details={"url": url, "changes": changes},
        )
    return MetadataRefreshed(ok=True, changes=changes)


def _url_remove(*, application: Application, request) -> MetadataRefreshed:
    with transaction.atomic():
        deleted, _ = SpMetadataUrl.objects.filter(config_id=application.pk).delete()
        if deleted:
            audit_record(
                action="application.sp_metadata_url_remove",
                request=request,
                target=application,
                application=application,
            )
    return MetadataRefreshed(ok=True, changes={})


def sp_metadata_refresh(*, application_id: int, request=None) -> MetadataRefreshed | None:
    """Fetch the app's SP metadata URL again and apply what changed; None if it has none.

    Safe to run twice: a document whose values equal the ones last applied changes
    nothing (an admin's edits since then stay), and a fetch that fails changes only the
    row's error and time.
    """
    row = SpMetadataUrl.objects.select_related("config").filter(pk=application_id).first()
    if row is None:
        return None
    url, allow_http = row.url, row.config.allow_http_sp_urls
    try:
        metadata = sp_metadata_fetch(url=url, allow_http=allow_http)
    except SpMetadataError as error:
        return _failure_record(
            application_id=application_id, url=url, reason=error.reason, request=request
        )
    with transaction.atomic():
        row = (
            SpMetadataUrl.objects.select_for_update(of=("self", "config"))
            .select_related("config__application")
            .filter(pk=application_id, url=url)
            .first()
        )
        if row is None:
            return None  # removed or replaced while we were fetching
        config, application = row.config, row.config.application
        moment = _now()
        row.fetched_at = moment
        if config.sp_entity_id and metadata.entity_id != config.sp_entity_id:
            # The URL now describes another SP: taking it over would hand this app's
            # assertions to a different service provider. An admin must decide.
            reason = _(
                "The metadata at the URL now describes the entity %(new)s, not %(old)s; "
                "nothing was applied. Import it again if the SP really changed its Entity ID."
            ) % {"new": metadata.entity_id, "old": config.sp_entity_id}
            return _failure_save(row, application, reason=reason, request=request)
        applied = _jsonable(metadata)
        changes: dict = {}
        if applied != row.applied:
            before = _snapshot(config)
            try:
                # A savepoint: a refused document rolls back alone, the failure is kept.
                with transaction.atomic():
                    saml_config_metadata_apply(
                        application=application, metadata=metadata, request=request
                    )
            except ValidationError as error:
                reason = _("The fetched metadata could not be applied: %(reason)s") % {
                    "reason": " ".join(error.messages)
                }
                return _failure_save(row, application, reason=reason, request=request)
            changes = _diff(before, _snapshot(SamlConfig.objects.get(pk=config.pk)))
            row.applied = applied
            row.changed_at = moment
        row.refreshed_at = moment
        row.error, row.error_at = "", None
        row.save()
        if changes:
            audit_record(
                action="application.sp_metadata_refresh",
                request=request,
                target=application,
                application=application,
                sp_entity_id=metadata.entity_id,
                details={"url": url, "changes": changes},
            )
    return MetadataRefreshed(ok=True, changes=changes)


def sp_metadata_url_ids() -> list[int]:
    """Return the ids of the applications that have an SP metadata URL."""
    return list(SpMetadataUrl.objects.order_by("pk").values_list("pk", flat=True))


def _failure_record(
    *, application_id: int, url: str, reason: str, request
) -> MetadataRefreshed | None:
    with transaction.atomic():
        row = (
            SpMetadataUrl.objects.select_for_update(of=("self",))
            .select_related("config__application")
            .filter(pk=application_id, url=url)
            .first()
        )
        if row is None:
            return None
        row.fetched_at = _now()
        return _failure_save(row, row.config.application, reason=reason, request=request)


def _failure_save(row: SpMetadataUrl, application, *, reason: str, request) -> MetadataRefreshed:
    reason = reason[:_MAX_ERROR_CHARS]
    row.error, row.error_at = reason, row.fetched_at
    row.save(update_fields=["fetched_at", "error", "error_at"])
    audit_record(
        action="application.sp_metadata_refresh",
        request=request,
        outcome=AuditEvent.Outcome.FAILURE,
        target=application,
        application=application,
        reason=reason,
        details={"url": row.url},
    )
    return MetadataRefreshed(ok=False, changes={}, error=reason)


def _jsonable(metadata: SpMetadata) -> dict:
    # Compared with the JSONField's stored value, so it must look as it will after a reload.
    return json.loads(json.dumps(metadata.to_dict()))


def _snapshot(config: SamlConfig) -> dict:
    """Return the settings SP metadata fills, in the form the audit diff shows them."""
    return {
        "sp_entity_id": config.sp_entity_id,
        "sp_certificate_sha256": _fingerprint(config.sp_certificate),
        "acs_urls": [
            {"url": acs.url, "index": acs.index, "is_default": acs.is_default}
            for acs in config.acs_urls.order_by("-is_default", "index", "pk")
        ],
        "sp_logout_url": config.sp_logout_url,
        "sp_logout_binding": config.sp_logout_binding,
        "nameid_format": config.nameid_format,
        "require_signed_requests": config.require_signed_requests,
    }


def _fingerprint(pem: str) -> str:
    if not pem:
        return ""
    try:
        return certificate_info(pem).sha256_fingerprint
    except KeyPairError:
        return hashlib.sha256(pem.encode()).hexdigest()


def _diff(before: dict, after: dict) -> dict:
    return {
        key: {"from": before[key], "to": after[key]} for key in before if before[key] != after[key]
    }
