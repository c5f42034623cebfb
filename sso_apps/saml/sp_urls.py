"""The one rule for every URL a service provider endpoint may have (ACS, SLO, login).

Browsers are sent to these URLs with signed assertions, so a value that is not a plain
absolute web address is an attack: ``javascript:`` in the auto-POST form's action runs in
the IdP's own origin. Plain Python, no Django: the models, services, SP metadata import,
catalog schema and the IdP views all ask this module, so there is one rule to review.
"""

import ipaddress
import re

from sso_apps.saml.errors import SpUrlError

__all__ = ["MAX_SP_URL_LENGTH", "SpUrlError", "sp_url_check", "sp_url_problem"]

MAX_SP_URL_LENGTH = 1000
# Host names as DNS spells them, plus "_": catalog templates put placeholders such as
# ORG_ID in the host until the admin fills them in.
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_HOSTNAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\Z")
# Never literal in a URL (RFC 3986 section 2) and treated specially by browsers or HTML:
# a backslash is a path separator to browsers but not to urllib, quotes end attributes.
_FORBIDDEN = frozenset(' "<>\\^`{|}')
_SHOWN_LENGTH = 120


def sp_url_problem(url: object, *, allow_http: bool = False) -> str | None:
    """Return why the value may not be an SP endpoint URL, or None when it may."""
    if not isinstance(url, str) or not url:
        return "The URL is empty."
    shown = _shown(url)
    if len(url) > MAX_SP_URL_LENGTH:
        return f"{shown} is longer than {MAX_SP_URL_LENGTH} characters."
    if any(not " " < char < "\x7f" for char in url):
        return (
            f"{shown} contains a space, a control character or a non-ASCII character; "
            "percent-encode it (and write an international host name in its xn-- form)."
        )
    forbidden = sorted({char for char in url if char in _FORBIDDEN})
    if forbidden:
        return f"{shown} contains {' '.join(forbidden)}, which is not allowed in a URL."
    scheme_problem = _scheme_problem(url, shown, allow_http=allow_http)
    if scheme_problem:
        return scheme_problem
    authority = re.split(r"[/?#]", url.split("://", 1)[1], maxsplit=1)[0]
    return _authority_problem(authority, shown)


def sp_url_check(url: object, *, allow_http: bool = False) -> str:
    """Return the URL unchanged if it may be an SP endpoint; raise SpUrlError otherwise."""
    problem = sp_url_problem(url, allow_http=allow_http)
    if problem:
        raise SpUrlError(problem)
    return url  # type: ignore[return-value]


def _scheme_problem(url: str, shown: str, *, allow_http: bool) -> str | None:
    # Compared exactly, lower case: "JaVaScRiPt:", "//host", "https:/x" and friends all
    # fail here, and what we store is what we compare ACS URLs against byte for byte.
    if url.startswith("https://"):
        return None
    if url.startswith("http://"):
        if allow_http:
            return None
        return (
            f"{shown} uses http://. Use https://, or tick “Allow http:// SP URLs (local "
            "testing only)” for a test service provider."
        )
    expected = "https:// or http://" if allow_http else "https://"
    return f"{shown} is not allowed: an SP URL must start with {expected} (in lower case)."


def _authority_problem(authority: str, shown: str) -> str | None:
    if not authority:
        return f"{shown} has no host name."
    if "@" in authority:
        return f"{shown} contains a user name or password; SP URLs may not."
    if authority.startswith("["):
        host, _, rest = authority[1:].partition("]")
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return f"{shown} has an invalid IPv6 address."
        port = rest.removeprefix(":") if rest.startswith(":") else (None if not rest else "")
    else:
        host, colon, port = authority.partition(":")
        port = port if colon else None
        if not _HOSTNAME.match(host):
            return f"{shown} has an invalid host name."
    if port is not None and not (port.isdigit() and 0 < int(port) < 65536):
        return f"{shown} has an invalid port."
    return None


def _shown(url: str) -> str:
    # ascii() makes control characters and look-alike letters visible in the message.
    if len(url) <= _SHOWN_LENGTH:
        return ascii(url)
    return ascii(url[:_SHOWN_LENGTH]) + "…"
