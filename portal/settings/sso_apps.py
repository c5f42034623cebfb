"""SSO applications and the SAML IdP (SSO_APPS_*); read through sso_apps.conf."""

from portal.settings.env import env

# Secret the IdP private keys are encrypted with at rest (Fernet, key derived by HKDF).
# Old secrets stay readable during a rotation of this secret.
SSO_APPS_KEY_ENCRYPTION_SECRET = env.str("SSO_APPS_KEY_ENCRYPTION_SECRET", default="")
SSO_APPS_KEY_ENCRYPTION_OLD_SECRETS = env.list("SSO_APPS_KEY_ENCRYPTION_OLD_SECRETS", default=[])

# Org-wide default IdP Entity ID; {base_url} and {suffix} are filled per application.
SSO_APPS_IDP_ENTITY_ID = env.str("SSO_APPS_IDP_ENTITY_ID", default="{base_url}/saml2/{suffix}")
SSO_APPS_CERT_VALID_DAYS = env.int("SSO_APPS_CERT_VALID_DAYS", default=5 * 365 + 1)
SSO_APPS_KEY_SIZE = env.int("SSO_APPS_KEY_SIZE", default=2048)
SSO_APPS_CLOCK_SKEW_SECONDS = env.int("SSO_APPS_CLOCK_SKEW_SECONDS", default=180)
# Longest RelayState accepted from an SP, in UTF-8 bytes. The bindings spec's 80 bytes is
# too small for the URLs real SPs send; longer values are refused with a 400 page.
SSO_APPS_RELAY_STATE_MAX_BYTES = env.int("SSO_APPS_RELAY_STATE_MAX_BYTES", default=1024)
# Logging out everywhere: how long one SP has to answer before the chain moves on, and
# how long the whole chain may take.
SSO_APPS_LOGOUT_STEP_TIMEOUT_SECONDS = env.int("SSO_APPS_LOGOUT_STEP_TIMEOUT_SECONDS", default=15)
SSO_APPS_LOGOUT_CHAIN_LIFETIME_SECONDS = env.int(
    "SSO_APPS_LOGOUT_CHAIN_LIFETIME_SECONDS", default=600
)
SSO_APPS_PORTAL_IMAGE_MAX_BYTES = 1024 * 1024

# Who gets the confirmation of a deactivation or deletion besides the acting admin.
SSO_APPS_NOTIFY_ALL_ADMINISTRATORS = env.bool("SSO_APPS_NOTIFY_ALL_ADMINISTRATORS", default=True)
SSO_APPS_NOTIFICATION_CHANNELS = env.list(
    "SSO_APPS_NOTIFICATION_CHANNELS", default=["in_app", "email"]
)

# --- Notification delivery (the outbox; see sso_apps/services/notifications.py).
# The sweeper re-queues notifications still undelivered this many minutes after creation.
SSO_APPS_NOTIFICATION_SWEEP_AFTER_MINUTES = env.int(
    "SSO_APPS_NOTIFICATION_SWEEP_AFTER_MINUTES", default=2
)
# A failed channel is retried after base * 2**(failures - 1) seconds, at most max seconds,
# and given up (status "failed", error kept) after this many failed deliveries.
SSO_APPS_NOTIFICATION_RETRY_BASE_SECONDS = env.int(
    "SSO_APPS_NOTIFICATION_RETRY_BASE_SECONDS", default=30
)
SSO_APPS_NOTIFICATION_RETRY_MAX_SECONDS = env.int(
    "SSO_APPS_NOTIFICATION_RETRY_MAX_SECONDS", default=3600
)
SSO_APPS_NOTIFICATION_MAX_FAILURES = env.int("SSO_APPS_NOTIFICATION_MAX_FAILURES", default=10)
# An email claimed by a run that then died is sent again once the claim is this old.
# Keep it above the delivery task's hard time limit (60 s) so a slow send is never doubled.
SSO_APPS_NOTIFICATION_CLAIM_TIMEOUT_SECONDS = env.int(
    "SSO_APPS_NOTIFICATION_CLAIM_TIMEOUT_SECONDS", default=300
)

# --- Bulk deletion: more applications than this at once run as a background job.
SSO_APPS_BULK_DELETE_THRESHOLD = env.int("SSO_APPS_BULK_DELETE_THRESHOLD", default=50)
# Applications deleted per transaction by a deletion job.
SSO_APPS_DELETION_BATCH_SIZE = env.int("SSO_APPS_DELETION_BATCH_SIZE", default=500)
# Test-only: seconds each batch waits before it commits, so a test can kill a worker mid-job.
SSO_APPS_DELETION_BATCH_DELAY_SECONDS = env.float(
    "SSO_APPS_DELETION_BATCH_DELAY_SECONDS", default=0.0
)
# The sweeper re-queues a pending or running job that has made no progress this long.
SSO_APPS_DELETION_STALE_AFTER_MINUTES = env.int("SSO_APPS_DELETION_STALE_AFTER_MINUTES", default=5)

# --- SP metadata URL (fetched on the SSO tab and re-fetched daily by beat).
# The document is streamed and refused past this size.
SSO_APPS_METADATA_MAX_BYTES = env.int("SSO_APPS_METADATA_MAX_BYTES", default=1024 * 1024)
# Seconds allowed to connect and for each read, and for the whole transfer.
SSO_APPS_METADATA_TIMEOUT_SECONDS = env.float("SSO_APPS_METADATA_TIMEOUT_SECONDS", default=10.0)
SSO_APPS_METADATA_TOTAL_SECONDS = env.float("SSO_APPS_METADATA_TOTAL_SECONDS", default=30.0)
# PEM file of the CAs trusted for metadata URLs instead of the system's; empty: the system's.
# Tests point it at a CA of their own; production normally leaves it empty.
SSO_APPS_METADATA_CA_FILE = env.str("SSO_APPS_METADATA_CA_FILE", default="")
# Fetch SP metadata from loopback/private/link-local addresses too (local testing only):
# otherwise an admin's URL could probe the IdP's own network (e.g. cloud metadata).
SSO_APPS_METADATA_ALLOW_PRIVATE_ADDRESSES = env.bool(
    "SSO_APPS_METADATA_ALLOW_PRIVATE_ADDRESSES", default=False
)
