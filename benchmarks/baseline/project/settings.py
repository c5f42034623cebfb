"""Settings of the stock djangosaml2idp IdP, following its README's "Configuration & Usage".

Environment (set by the benchmark that starts it):
  BASELINE_DATABASE_URL  its own database (PostgreSQL or SQLite)
  BASELINE_KEY_DIR       folder holding private.key and public.cert (the IdP key pair)
  BASELINE_BASE_URL      origin it is served on, e.g. http://127.0.0.1:8301
"""

import os

import environ
import saml2
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_UNSPECIFIED
from saml2.sigver import get_xmlsec_binary

env = environ.Env()
DEBUG = False
SECRET_KEY = os.environ.get("BASELINE_SECRET_KEY", "baseline-" + "x" * 50)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "benchmarks.baseline.project.urls"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "djangosaml2idp",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(os.path.dirname(__file__), "templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": env.db_url("BASELINE_DATABASE_URL")}
# The HTTP benchmark gives both IdPs the same persistent-connection setting.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("BASELINE_CONN_MAX_AGE", "0"))
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

LOGIN_URL = "/login/"
BASE_URL = os.environ.get("BASELINE_BASE_URL", "http://127.0.0.1:8301").rstrip("/") + "/idp"
KEY_DIR = os.environ.get("BASELINE_KEY_DIR", "")

SAML_IDP_CONFIG = {
    "debug": DEBUG,
    "xmlsec_binary": get_xmlsec_binary(["/opt/local/bin", "/usr/bin/xmlsec1"]),
    "entityid": f"{BASE_URL}/metadata",
    "description": "Stock djangosaml2idp baseline",
    "service": {
        "idp": {
            "name": "Stock djangosaml2idp",
            "endpoints": {
                "single_sign_on_service": [
                    (f"{BASE_URL}/sso/post/", saml2.BINDING_HTTP_POST),
                    (f"{BASE_URL}/sso/redirect/", saml2.BINDING_HTTP_REDIRECT),
                ],
                "single_logout_service": [
                    (f"{BASE_URL}/slo/post/", saml2.BINDING_HTTP_POST),
                    (f"{BASE_URL}/slo/redirect/", saml2.BINDING_HTTP_REDIRECT),
                ],
            },
            "name_id_format": [NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_UNSPECIFIED],
            "sign_response": True,
            "sign_assertion": True,
            # The benchmark SPs send unsigned AuthnRequests, as they do to Tessera.
            "want_authn_requests_signed": False,
        },
    },
    "key_file": os.path.join(KEY_DIR, "private.key"),
    "cert_file": os.path.join(KEY_DIR, "public.cert"),
    "encryption_keypairs": [
        {
            "key_file": os.path.join(KEY_DIR, "private.key"),
            "cert_file": os.path.join(KEY_DIR, "public.cert"),
        }
    ],
    "valid_for": 365 * 24,
}
SAML_AUTHN_SIGN_ALG = saml2.xmldsig.SIG_RSA_SHA256
SAML_AUTHN_DIGEST_ALG = saml2.xmldsig.DIGEST_SHA256
