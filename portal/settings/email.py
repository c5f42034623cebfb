"""Outgoing email, configured by one EMAIL_URL; printed to the console when it is unset.

| EMAIL_URL | backend |
|---|---|
| `smtp://user:password@host:25` | SMTP, plain (port 25 if none) |
| `smtp+tls://user:password@host:587` | SMTP with STARTTLS (port 587 if none) |
| `smtp+ssl://user:password@host:465` | SMTP over TLS from the first byte (port 465 if none) |
| `consolemail://` | printed to stdout (the default) |
| `filemail:///absolute/folder` | one file per message in that folder (created if missing) |
| `memorymail://` | kept in memory (django.core.mail.outbox), for tests |

User and password are percent-decoded (write `@` as `%40`). Anything else is refused at
startup, so a typo fails the deploy rather than the first notification.
"""

from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from portal.settings.env import env

DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Tessera <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

_BACKENDS = "django.core.mail.backends."
# scheme: (connection security, default port)
_SMTP = {
    "smtp": ("", 25),
    "smtp+tls": ("use_tls", 587),
    "smtp+ssl": ("use_ssl", 465),
}
_LOCAL = {
    "consolemail": "console.EmailBackend",
    "filemail": "filebased.EmailBackend",
    "memorymail": "locmem.EmailBackend",
}


def mailer_from_url(url: str) -> dict:
    """Return the MAILERS entry for an EMAIL_URL.

    Done here rather than by django-environ's email_url(): its result is for the old
    EMAIL_* settings, which Django's MAILERS ignore, and it drops the leading slash of
    filemail:///var/mail (giving a path relative to wherever the process started).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in _SMTP:
        security, default_port = _SMTP[scheme]
        if not parts.hostname:
            raise ImproperlyConfigured(f"EMAIL_URL: {scheme}:// needs a host.")
        try:
            port = parts.port or default_port
        except ValueError as error:
            raise ImproperlyConfigured("EMAIL_URL: the port is not a number.") from error
        options = {
            "host": parts.hostname,
            "port": port,
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_tls": security == "use_tls",
            "use_ssl": security == "use_ssl",
            # A mail server that stops answering must not hold a Celery worker for long.
            "timeout": 10,
        }
        return {"BACKEND": _BACKENDS + "smtp.EmailBackend", "OPTIONS": options}
    if scheme in _LOCAL:
        options = {}
        if scheme == "filemail":
            if parts.netloc or not parts.path.startswith("/"):
                raise ImproperlyConfigured(
                    "EMAIL_URL: filemail needs an absolute folder, e.g. filemail:///var/mail/tessera"
                )
            options["file_path"] = unquote(parts.path)
        return {"BACKEND": _BACKENDS + _LOCAL[scheme], "OPTIONS": options}
    known = ", ".join(f"{name}://" for name in [*_SMTP, *_LOCAL])
    raise ImproperlyConfigured(f"EMAIL_URL: unknown scheme {scheme!r}; use one of {known}.")


MAILERS = {"default": mailer_from_url(env.str("EMAIL_URL", default="consolemail://"))}
