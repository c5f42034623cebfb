"""Logging to stderr through structlog: JSON lines in production, readable lines elsewhere.

Our code and every library log through the standard library; structlog's ProcessorFormatter
renders each record once, adding the request context (request id, user id, application
suffix, SAML outcome) that portal.request_log and sso_apps.services.audit bind.
The request body and query string never reach a log line (see portal.request_log).
"""

import logging
import warnings

import structlog

from portal.log_redaction import redact_secrets
from portal.settings.env import env

# pysaml2 registers a cipher mode that cryptography has deprecated; it is never used here
# and the warning would print on every command.
warnings.filterwarnings("ignore", message="CFB has been moved", module="saml2")

# Processors run for structlog loggers and for plain logging records alike.
_SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.ExtraAdder(),
]

structlog.configure(
    processors=[
        structlog.stdlib.filter_by_level,
        *_SHARED_PROCESSORS,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.StackInfoRenderer(),
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)


def logging_config(log_format: str, level: str = "INFO") -> dict:
    """Return LOGGING for "json" (one object per line) or "console" (aligned key=value)."""
    if log_format not in {"json", "console"}:
        raise ValueError(f"TESSERA_LOG_FORMAT must be json or console, not {log_format!r}")
    renderer = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    # A traceback becomes one "exception" string field before redact_secrets sees it, so
    # the net covers tracebacks too (and a JSON line stays one line).
    final = [
        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
        structlog.processors.format_exc_info,
    ]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": _SHARED_PROCESSORS,
                "processors": [*final, redact_secrets, renderer],
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # django-structlog logs every request; django.request would repeat the 4xx/5xx.
            "django.request": {"level": "ERROR"},
            "django_structlog": {"level": level},
            "axes": {"level": "WARNING"},
            # pysaml2 logs whole SAML messages at INFO and DEBUG: only its warnings pass, so a
            # SAMLResponse reaches the log only when an operator asks for DEBUG on purpose
            # (TESSERA_SAML_LOG_LEVEL=DEBUG).
            "saml2": {"level": env.str("TESSERA_SAML_LOG_LEVEL", default="WARNING")},
            "djangosaml2idp": {"level": env.str("TESSERA_SAML_LOG_LEVEL", default="WARNING")},
            "xmlschema": {"level": "WARNING"},
        },
    }


TESSERA_LOG_LEVEL = env.str("TESSERA_LOG_LEVEL", default="INFO").upper()
LOGGING = logging_config(env.str("TESSERA_LOG_FORMAT", default="console"), TESSERA_LOG_LEVEL)

# django-structlog (portal.request_log): the request id comes from X-Request-ID only when
# portal.middleware.TrustedProxyMiddleware kept it (a trusted proxy sent it) and it looks
# like an id; otherwise one is generated.
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True
# One line per request (request_finished, with the status); the start line only at DEBUG.
DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL = logging.DEBUG
DJANGO_STRUCTLOG_CELERY_ENABLED = True
