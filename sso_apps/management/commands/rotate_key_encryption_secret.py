from django.core.management.base import BaseCommand, CommandError

from sso_apps.services.key_encryption import key_pairs_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored IdP private key under SSO_APPS_KEY_ENCRYPTION_SECRET, "
        "reading with it or any of SSO_APPS_KEY_ENCRYPTION_OLD_SECRETS (idempotent)."
    )

    def handle(self, *args, **options):
        result = key_pairs_reencrypt()
        self.stdout.write(
            f"IdP private keys: {result.reencrypted} re-encrypted, "
            f"{result.already_current} already under the current secret."
        )
        if result.undecryptable:
            ids = ", ".join(str(pk) for pk in result.undecryptable)
            raise CommandError(
                f"{len(result.undecryptable)} IdP key pair(s) (ids {ids}) cannot be decrypted "
                "with SSO_APPS_KEY_ENCRYPTION_SECRET or any of "
                "SSO_APPS_KEY_ENCRYPTION_OLD_SECRETS; they were left unchanged. Add the secret "
                "they were encrypted with to SSO_APPS_KEY_ENCRYPTION_OLD_SECRETS and run again."
            )
        self.stdout.write(self.style.SUCCESS("Every IdP private key is under the current secret."))
