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
# Behind a TLS-terminating proxy the request reaches gunicorn as plain HTTP: the proxy says
# "https" in X-Forwarded-Proto. Only a proxy in TESSERA_TRUSTED_PROXIES can say so
# (portal.middleware.TrustedProxyMiddleware drops the header from anyone else).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Off by default: a proxy that passes the original Host header on needs nothing. Turn it on
# for a proxy that rewrites Host and sends the public name in X-Forwarded-Host (still only
# believed from a trusted proxy, and still checked against ALLOWED_HOSTS).
USE_X_FORWARDED_HOST = env.bool("TESSERA_USE_X_FORWARDED_HOST", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# A load balancer probes the nodes over plain HTTP, without X-Forwarded-Proto: a redirect
# to https would read as a failed probe. The probes carry no session and no secret.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# One JSON object per line on stderr, for the log collector (TESSERA_LOG_FORMAT=console to read).
LOGGING = logging_config(  # noqa: F405
    env.str("TESSERA_LOG_FORMAT", default="json"),
    TESSERA_LOG_LEVEL,  # noqa: F405
)

# Every staff account needs a second factor in production unless explicitly turned off.
TESSERA_MFA_REQUIRED_FOR_STAFF = env.bool("TESSERA_MFA_REQUIRED_FOR_STAFF", default=True)
