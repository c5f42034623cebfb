"""IdP key pairs: generate or upload one; it becomes the app's only active pair.

Replacing a pair is generating or uploading the next one (the previous one stays, as
inactive). Re-encrypting stored private keys under a new secret is key_encryption.py.
"""

from django.db import transaction

from sso_apps.conf import app_settings
from sso_apps.key_vault import private_key_encrypt
from sso_apps.models import Application, IdpKeyPair
from sso_apps.saml.keys import (
    certificate_info,
    check_key_pair,
    generate_key_pair,
    load_certificate,
)
from sso_apps.services.audit import audit_record

AUDIT_ACTIONS = {
    IdpKeyPair.Origin.GENERATED: "application.key_pair_generate",
    IdpKeyPair.Origin.UPLOADED: "application.key_pair_upload",
}


def _key_pair_store(
    *, application, private_key_pem, certificate_pem, origin, request=None
) -> IdpKeyPair:
    info = certificate_info(certificate_pem)
    # Only what became the previous active pair is retired; earlier ones stay as they are.
    application.key_pairs.filter(status=IdpKeyPair.Status.ACTIVE).update(
        status=IdpKeyPair.Status.INACTIVE
    )
    key_pair = IdpKeyPair(
        application=application,
        status=IdpKeyPair.Status.ACTIVE,
        origin=origin,
        certificate_pem=certificate_pem.strip() + "\n",
        private_key_encrypted=private_key_encrypt(private_key_pem),
        key_size=load_certificate(certificate_pem).public_key().key_size,
        fingerprint_sha256=info.sha256_fingerprint,
        not_before=info.not_before,
        not_after=info.not_after,
    )
    key_pair.full_clean()
    key_pair.save()
    application.bump_config_version()
    audit_record(
        action=AUDIT_ACTIONS[origin],
        request=request,
        target=application,
        application=application,
        details={"fingerprint": key_pair.fingerprint_sha256},
    )
    return key_pair


@transaction.atomic
def key_pair_generate(
    *, application: Application, key_size: int | None = None, request=None
) -> IdpKeyPair:
    """Create a new active key pair for the app; the previous one stays, as inactive."""
    pair = generate_key_pair(
        common_name=f"Tessera IdP {application.idp_suffix}"[:64],
        key_size=key_size or app_settings.key_size,
        valid_days=app_settings.cert_valid_days,
    )
    return _key_pair_store(
        application=application,
        private_key_pem=pair.private_key_pem,
        certificate_pem=pair.certificate_pem,
        origin=IdpKeyPair.Origin.GENERATED,
        request=request,
    )


@transaction.atomic
def key_pair_upload(
    *, application: Application, private_key_pem: str, certificate_pem: str, request=None
) -> IdpKeyPair:
    """Install the admin's own key pair; raise KeyPairError if the key does not match."""
    check_key_pair(private_key_pem=private_key_pem, certificate_pem=certificate_pem)
    return _key_pair_store(
        application=application,
        private_key_pem=private_key_pem,
        certificate_pem=certificate_pem,
        origin=IdpKeyPair.Origin.UPLOADED,
        request=request,
    )
