"""Production: no default for any secret, HTTPS everywhere."""

from django.core.exceptions import ImproperlyConfigured

from portal.settings.base import *  # noqa: F403
from portal.settings.env import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of 50+ characters.")

if len(SSO_APPS_KEY_ENCRYPTION_SECRET) < 32:  # noqa: F405
    raise ImproperlyConfigured(
        "SSO_APPS_KEY_ENCRYPTION_SECRET must be set (32+ random characters): it encrypts IdP keys."
    )

if not TESSERA_BASE_URL.startswith("https://"):  # noqa: F405
    raise ImproperlyConfigured("TESSERA_BASE_URL must be an https:// origin in production.")

CSRF_TRUSTED_ORIGINS = [TESSERA_BASE_URL]  # noqa: F405
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# Every staff account needs a second factor in production unless explicitly turned off.
TESSERA_MFA_REQUIRED_FOR_STAFF = env.bool("TESSERA_MFA_REQUIRED_FOR_STAFF", default=True)
