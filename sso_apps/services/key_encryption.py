"""Re-encrypt stored IdP private keys under the current key-encryption secret."""

from dataclasses import dataclass, field

from django.db import transaction

from sso_apps.key_vault import (
    KeyVaultError,
    private_key_token_is_current,
    private_key_token_rotate,
)
from sso_apps.models import IdpKeyPair

BATCH_SIZE = 200


@dataclass
class ReencryptionResult:
    """Counts of one re-encryption run, and the ids of rows no secret could read."""

    reencrypted: int = 0
    already_current: int = 0
    undecryptable: list[int] = field(default_factory=list)


def key_pairs_reencrypt(*, batch_size: int = BATCH_SIZE) -> ReencryptionResult:
    """Re-encrypt every key pair not yet under the current secret; report what was done."""
    result = ReencryptionResult()
    last_pk = 0
    while True:
        # Walk by primary key so a long run never holds one big transaction or result set.
        batch = list(
            IdpKeyPair.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            return result
        for pk in batch:
            outcome = _key_pair_reencrypt(pk=pk)
            if outcome == "reencrypted":
                result.reencrypted += 1
            elif outcome == "current":
                result.already_current += 1
            elif outcome == "undecryptable":
                result.undecryptable.append(pk)
        last_pk = batch[-1]


@transaction.atomic
def _key_pair_reencrypt(*, pk: int) -> str:
    # Lock the row: a key regeneration or a second rotation run may touch it meanwhile.
    key_pair = IdpKeyPair.objects.select_for_update().filter(pk=pk).first()
    if key_pair is None:
        return "gone"
    token = key_pair.private_key_encrypted
    if private_key_token_is_current(token):
        return "current"
    try:
        key_pair.private_key_encrypted = private_key_token_rotate(token)
    except KeyVaultError:
        return "undecryptable"
    key_pair.full_clean()
    key_pair.save(update_fields=["private_key_encrypted"])
    return "reencrypted"
