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
SSO_APPS_PORTAL_IMAGE_MAX_BYTES = 1024 * 1024

# Who gets the confirmation of a deactivation or deletion besides the acting admin.
SSO_APPS_NOTIFY_ALL_ADMINISTRATORS = env.bool("SSO_APPS_NOTIFY_ALL_ADMINISTRATORS", default=True)
SSO_APPS_NOTIFICATION_CHANNELS = env.list(
    "SSO_APPS_NOTIFICATION_CHANNELS", default=["in_app", "email"]
)
