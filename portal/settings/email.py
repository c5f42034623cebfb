"""Outgoing email: printed to the console unless SMTP is configured by EMAIL_URL.

EMAIL_URL takes django-environ's form, e.g. smtp+tls://user:password@mail.example.com:587.
"""

from portal.settings.env import env

DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Tessera <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

_email = env.email_url("EMAIL_URL", default="consolemail://")
_smtp_options = {
    "host": _email.get("EMAIL_HOST", ""),
    "port": _email.get("EMAIL_PORT") or 25,
    "username": _email.get("EMAIL_HOST_USER", ""),
    "password": _email.get("EMAIL_HOST_PASSWORD", ""),
    "use_tls": bool(_email.get("EMAIL_USE_TLS", False)),
    "use_ssl": bool(_email.get("EMAIL_USE_SSL", False)),
    "timeout": 10,
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": _smtp_options if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend") else {},
    }
}
