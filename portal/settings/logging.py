"""Logging to stderr; the request body never reaches a log line."""

import warnings

# pysaml2 registers a cipher mode that cryptography has deprecated; it is never used here
# and the warning would print on every command.
warnings.filterwarnings("ignore", message="CFB has been moved", module="saml2")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        "saml2": {"level": "WARNING"},
        "xmlschema": {"level": "WARNING"},
    },
}
