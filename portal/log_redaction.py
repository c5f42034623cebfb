"""A structlog processor that keeps secrets out of log lines whatever a library logs.

Our own code logs ids and outcomes only; this is the net under libraries (pysaml2,
djangosaml2idp, Django) and under a traceback that quotes a local variable or a URL.
Private keys and passwords are removed at every level; SAML messages at every level but
DEBUG, which an operator turns on deliberately to see them.
"""

import logging
import re

REDACTED = "[redacted]"

_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)",
    re.DOTALL,
)
# A value after a secret-looking name in a query string, form dump or repr:
# password=..., "password": "...", SAMLResponse=...
_SECRET_NAMES = r"password|passwd|secret|csrfmiddlewaretoken|sessionid|csrftoken"  # noqa: S105
_SAML_NAMES = r"SAMLResponse|SAMLRequest|Signature"
_ASSIGNMENT = r"""(?P<name>\b(?:{names})\b)(?P<sep>['"]?\s*[=:]\s*['"]?)(?P<value>[^&\s'",;}}]+)"""
_SECRET_ASSIGNMENT = re.compile(_ASSIGNMENT.format(names=_SECRET_NAMES), re.IGNORECASE)
_SAML_ASSIGNMENT = re.compile(_ASSIGNMENT.format(names=_SAML_NAMES))
_SECRET_KEY = re.compile(rf"^(?:{_SECRET_NAMES}|{_SAML_NAMES}|cookie)$", re.IGNORECASE)
_SAML_KEY = re.compile(rf"^(?:{_SAML_NAMES})$")


def _clean(text: str, *, saml_too: bool) -> str:
    text = _PRIVATE_KEY.sub(REDACTED, text)
    text = _SECRET_ASSIGNMENT.sub(lambda m: f"{m['name']}{m['sep']}{REDACTED}", text)
    if saml_too:
        text = _SAML_ASSIGNMENT.sub(lambda m: f"{m['name']}{m['sep']}{REDACTED}", text)
    return text


def _walk(value, *, saml_too: bool):
    if isinstance(value, str):
        return _clean(value, saml_too=saml_too)
    if isinstance(value, dict):
        return {
            key: REDACTED
            if isinstance(key, str)
            and _SECRET_KEY.match(key)
            and (saml_too or not _SAML_KEY.match(key))
            else _walk(item, saml_too=saml_too)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(_walk(item, saml_too=saml_too) for item in value)
    return value


def redact_secrets(logger, method_name, event_dict):
    """Structlog processor: run after exceptions are rendered, before the renderer."""
    level = event_dict.get("level", method_name)
    saml_too = logging.getLevelName(str(level).upper()) != logging.DEBUG
    return _walk(event_dict, saml_too=saml_too)
