"""Warn Administrators before an application's active IdP certificate expires.

Thresholds are 60, 30 and 7 days and 24 hours before `not_after`. Each threshold is
recorded once per certificate (a unique constraint), in the transaction that writes
the notifications, so a second run the same day, or a redelivered task, warns nobody
twice. A rotated certificate is a new key pair and starts with no thresholds recorded.
"""

from django.db import transaction
from django.utils.formats import date_format

from sso_apps.models import (
    CertificateExpiryWarning,
    ExpiryThreshold,
    IdpKeyPair,
)
from sso_apps.models.expiry import THRESHOLD_WINDOWS
from sso_apps.selectors.notifications import administrators
from sso_apps.services.notifications import notification_create
from tessera.clock import now as _now

LOOSEST_WINDOW = max(THRESHOLD_WINDOWS.values())


def thresholds_reached(*, not_after, now) -> list[str]:
    """Return the thresholds reached at `now`, loosest first (all of them once expired)."""
    remaining = not_after - now
    return [threshold for threshold, window in THRESHOLD_WINDOWS.items() if remaining <= window]


def certificate_expiry_warn() -> list[CertificateExpiryWarning]:
    """Warn about every active certificate that reached a threshold not yet warned about."""
    now = _now()
    candidates = IdpKeyPair.objects.filter(
        status=IdpKeyPair.Status.ACTIVE, not_after__lte=now + LOOSEST_WINDOW
    ).values_list("pk", flat=True)
    sent = []
    for key_pair_id in list(candidates):
        warning = certificate_expiry_warn_one(key_pair_id=key_pair_id, now=now)
        if warning is not None:
            sent.append(warning)
    return sent


@transaction.atomic
def certificate_expiry_warn_one(*, key_pair_id: int, now=None) -> CertificateExpiryWarning | None:
    """Notify Administrators of this certificate's tightest new threshold, if any.

    Looser thresholds reached at the same time are recorded as covered, without a
    notification of their own; return the notified warning, or None.
    """
    now = now or _now()
    key_pair = (
        IdpKeyPair.objects.select_for_update(of=("self",))
        .select_related("application")
        .filter(pk=key_pair_id, status=IdpKeyPair.Status.ACTIVE)
        .first()
    )
    if key_pair is None:
        return None
    reached = thresholds_reached(not_after=key_pair.not_after, now=now)
    recorded = set(key_pair.expiry_warnings.values_list("threshold", flat=True))
    if not reached or reached[-1] in recorded:
        return None
    tightest = reached[-1]
    CertificateExpiryWarning.objects.bulk_create(
        [
            CertificateExpiryWarning(
                key_pair=key_pair,
                threshold=threshold,
                not_after=key_pair.not_after,
                notified=threshold == tightest,
            )
            for threshold in reached
            if threshold not in recorded
        ]
    )
    title, body = _message(key_pair, tightest, now)
    notification_create(
        recipients=administrators(),
        actor=None,
        kind="certificate.expiring",
        title=title,
        body=body,
    )
    return CertificateExpiryWarning.objects.get(key_pair=key_pair, threshold=tightest)


def _message(key_pair: IdpKeyPair, threshold: str, now) -> tuple[str, str]:
    label = key_pair.application.display_label
    when = date_format(key_pair.not_after, "DATETIME_FORMAT")
    if key_pair.not_after <= now:
        title = f"IdP certificate expired: {label}"
        lead = f"The IdP certificate of {label} expired on {when} UTC."
    else:
        within = ExpiryThreshold(threshold).label
        title = f"IdP certificate expires within {within}: {label}"
        lead = f"The IdP certificate of {label} expires on {when} UTC."
    body = (
        f"{lead} Generate or upload a new certificate on the application's SSO tab and "
        f"give it to the service provider, or sign-in to {label} will fail. "
        f"Fingerprint (SHA-256): {key_pair.fingerprint_sha256}."
    )
    return title, body
