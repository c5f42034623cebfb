"""The one place sso_apps reads its settings (SSO_APPS_*)."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from sso_apps.saml.sp_metadata_fetch import FetchLimits


class AppSettings:
    """Settings with their defaults, read at use time so tests can override them."""

    @property
    def key_encryption_secrets(self) -> list[str]:
        current = settings.SSO_APPS_KEY_ENCRYPTION_SECRET
        if not current:
            raise ImproperlyConfigured("SSO_APPS_KEY_ENCRYPTION_SECRET is not set.")
        return [current, *getattr(settings, "SSO_APPS_KEY_ENCRYPTION_OLD_SECRETS", [])]

    @property
    def base_url(self) -> str:
        return settings.TESSERA_BASE_URL.rstrip("/")

    def default_idp_entity_id(self, suffix: str) -> str:
        return settings.SSO_APPS_IDP_ENTITY_ID.format(base_url=self.base_url, suffix=suffix)

    @property
    def cert_valid_days(self) -> int:
        return settings.SSO_APPS_CERT_VALID_DAYS

    @property
    def key_size(self) -> int:
        return settings.SSO_APPS_KEY_SIZE

    def metadata_fetch_limits(self, *, allow_http: bool) -> FetchLimits:
        return FetchLimits(
            max_bytes=settings.SSO_APPS_METADATA_MAX_BYTES,
            timeout_seconds=settings.SSO_APPS_METADATA_TIMEOUT_SECONDS,
            total_seconds=settings.SSO_APPS_METADATA_TOTAL_SECONDS,
            ca_file=settings.SSO_APPS_METADATA_CA_FILE or None,
            allow_http=allow_http,
            allow_private_addresses=settings.SSO_APPS_METADATA_ALLOW_PRIVATE_ADDRESSES,
        )

    @property
    def clock_skew_seconds(self) -> int:
        return settings.SSO_APPS_CLOCK_SKEW_SECONDS

    @property
    def relay_state_max_bytes(self) -> int:
        return settings.SSO_APPS_RELAY_STATE_MAX_BYTES

    @property
    def logout_step_timeout_seconds(self) -> int:
        return settings.SSO_APPS_LOGOUT_STEP_TIMEOUT_SECONDS

    @property
    def logout_chain_lifetime_seconds(self) -> int:
        return settings.SSO_APPS_LOGOUT_CHAIN_LIFETIME_SECONDS

    @property
    def portal_image_max_bytes(self) -> int:
        return settings.SSO_APPS_PORTAL_IMAGE_MAX_BYTES

    @property
    def notify_all_administrators(self) -> bool:
        return settings.SSO_APPS_NOTIFY_ALL_ADMINISTRATORS

    @property
    def notification_channels(self) -> list[str]:
        return list(settings.SSO_APPS_NOTIFICATION_CHANNELS)

    @property
    def notification_sweep_after_minutes(self) -> int:
        return settings.SSO_APPS_NOTIFICATION_SWEEP_AFTER_MINUTES

    @property
    def notification_retry_base_seconds(self) -> int:
        return settings.SSO_APPS_NOTIFICATION_RETRY_BASE_SECONDS

    @property
    def notification_retry_max_seconds(self) -> int:
        return settings.SSO_APPS_NOTIFICATION_RETRY_MAX_SECONDS

    @property
    def notification_max_failures(self) -> int:
        return settings.SSO_APPS_NOTIFICATION_MAX_FAILURES

    @property
    def notification_claim_timeout_seconds(self) -> int:
        return settings.SSO_APPS_NOTIFICATION_CLAIM_TIMEOUT_SECONDS

    @property
    def bulk_delete_threshold(self) -> int:
        return settings.SSO_APPS_BULK_DELETE_THRESHOLD

    @property
    def deletion_batch_size(self) -> int:
        return max(1, settings.SSO_APPS_DELETION_BATCH_SIZE)

    @property
    def deletion_batch_delay_seconds(self) -> float:
        return settings.SSO_APPS_DELETION_BATCH_DELAY_SECONDS

    @property
    def deletion_stale_after_minutes(self) -> int:
        return settings.SSO_APPS_DELETION_STALE_AFTER_MINUTES


app_settings = AppSettings()
