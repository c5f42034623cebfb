"""Settings shared by every environment. Each topic reads its own variables below."""

from django.utils.translation import gettext_lazy as _

from portal.settings.env import BASE_DIR, env

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

# The public origin of this IdP, used to build the IdP URLs that admins paste into vendors.
TESSERA_BASE_URL = env.str("TESSERA_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The password seed_demo gives its demo accounts (it refuses to run with DEBUG off).
TESSERA_DEMO_PASSWORD = env.str("TESSERA_DEMO_PASSWORD", default="tessera-demo")

# The built-in SAML test SP at /sp-tester/ (sp_tester): off unless enabled; dev.py enables it.
SP_TESTER_ENABLED = env.bool("TESSERA_SP_TESTER_ENABLED", default=False)
# The IdP URL suffix of the Tessera application whose metadata the tester trusts.
SP_TESTER_IDP_SUFFIX = env.str("TESSERA_SP_TESTER_IDP_SUFFIX", default="tessera-saml-tester")
# The tester's own SP key pair (signs its requests), created on first use, git-ignored.
SP_TESTER_KEY_FILE = env.str(
    "TESSERA_SP_TESTER_KEY_FILE", default=str(BASE_DIR / ".sp_tester_key.pem")
)

INSTALLED_APPS = [
    "portal.apps.TesseraAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_structlog",
    "health_check",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "accounts",
    # After accounts: its models call get_user_model() at import time.
    "portal.apps.Saml2IdpConfig",
    "sso_apps",
    "console",
    "sp_tester",
]

MIDDLEWARE = [
    # First: everything after it (SSL redirect, CSRF origin checks, axes' client IP) must
    # see forwarded headers only when a trusted proxy sent them.
    "portal.middleware.TrustedProxyMiddleware",
    # Second: it takes X-Request-ID only after the proxy check, and wraps everything else so
    # the https redirect and static files get a request id too. The user id is read when
    # the response comes back through it, after authentication ran.
    "portal.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): which factor (if any) verified this session.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires, so it sees the outcome of every authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # csp_nonce for the inline scripts the CSP allows (the SAML POST pages).
                "django.template.context_processors.csp",
            ],
        },
    },
]

# --- Database: SQLite in the project folder unless DATABASE_URL names another one.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep a connection per worker thread for a minute, and test it before reusing it: after
# a PostgreSQL restart the first request of each worker reconnects instead of failing on
# the dead socket. A request that still meets the outage answers 503 (portal.views).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL: server-side parameter binding with prepared statements, so PostgreSQL parses
# and plans each query a connection repeats once instead of on every request (the SSO's
# app lookup spent 0.34 ms of every sign-in in planning). Set DATABASE_PREPARED_STATEMENTS
# =false behind a pooler that cannot keep them (PgBouncer before 1.21, transaction mode).
if DATABASES["default"]["ENGINE"].endswith("postgresql") and env.bool(
    "DATABASE_PREPARED_STATEMENTS", default=True
):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions. With REDIS_URL, Redis is a cache every node shares; PostgreSQL
# keeps the truth: sessions are `cached_db`, so a Redis outage or restart signs nobody out.
# The cache backend treats an unreachable Redis as a miss (portal.cache), with short
# socket timeouts so that a request never waits long on it.
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_SOCKET_TIMEOUT_SECONDS = env.float("TESSERA_CACHE_SOCKET_TIMEOUT_SECONDS", default=0.5)
# How long the cached copy of a session is believed before the database is read again.
SESSION_CACHE_MAX_AGE_SECONDS = env.int("TESSERA_SESSION_CACHE_MAX_AGE_SECONDS", default=300)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tessera",
            "OPTIONS": {
                "socket_connect_timeout": CACHE_SOCKET_TIMEOUT_SECONDS,
                "socket_timeout": CACHE_SOCKET_TIMEOUT_SECONDS,
                "retry_after_seconds": env.float("TESSERA_CACHE_RETRY_AFTER_SECONDS", default=5.0),
            },
        }
    }
    SESSION_ENGINE = "portal.session_store"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Authentication
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out client is refused before any password is hashed.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EmailBackend",
    # Only ever used by our second step (a passkey of the user who gave the password).
    "django_otp_webauthn.backends.WebAuthnBackend",
]
# NOTE: no stock Argon2PasswordHasher after ours: it shares the "argon2" algorithm name,
# and ours verifies (and upgrades at sign-in) every hash Django's made.
PASSWORD_HASHERS = [
    "accounts.hashers.TesseraArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "console:login"

# --- Brute-force throttling (django-axes): lock a username, and separately an IP,
# after repeated failures, for a while; admin and console sign-in alike.
# One query where django-axes' own handler makes one per lockout parameter.
AXES_HANDLER = "accounts.axes_handler.TesseraAxesHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "accounts.throttling.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_SENSITIVE_PARAMETERS = ["password"]

# --- Internationalisation
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media files. WhiteNoise serves static files so the one-command start
# needs no web server in front.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Forms
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security headers that hold in every environment.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

ADMIN_SITE_HEADER = _("Tessera Admin Portal")

from portal.settings.celery import *  # noqa: E402,F403
from portal.settings.email import *  # noqa: E402,F403
from portal.settings.logging import *  # noqa: E402,F403
from portal.settings.mfa import *  # noqa: E402,F403
from portal.settings.security import *  # noqa: E402,F403
from portal.settings.sso_apps import *  # noqa: E402,F403
