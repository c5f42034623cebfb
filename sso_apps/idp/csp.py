"""The Content-Security-Policy of the SAML auto-POST pages: they may post to one URL only."""

import re
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils.csp import CSP

_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
# RFC 3986 path characters minus ";" and ",", which a CSP source expression may not hold
# (they separate directives and policies); "%" stays so existing escapes are kept.
_PATH_SAFE = "/:@!$&'()*+=-._~%"


def form_action_source(url: str) -> str:
    """Return the CSP source matching exactly this http(s) URL, or 'none' for anything else.

    The URL came from an SP's metadata or an admin, so it is re-checked here at render time:
    a javascript: or otherwise odd destination gets a policy the browser will not post to.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return CSP.NONE
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme not in ("https", "http") or not host:
        return CSP.NONE
    if ":" in host:  # IPv6 literal; urlsplit has removed the brackets.
        if not re.fullmatch(r"[0-9a-f:.]+", host):
            return CSP.NONE
        host = f"[{host}]"
    else:
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            return CSP.NONE
        if not _HOST.match(host):
            return CSP.NONE
    authority = host if port is None else f"{host}:{port}"
    # The query never takes part in CSP matching; the path does, exactly.
    return f"{parts.scheme}://{authority}{quote(parts.path or '/', safe=_PATH_SAFE)}"


def post_form_policy(url: str) -> dict:
    """Return the site policy with form-action narrowed to the page's one destination."""
    source = form_action_source(url)
    if source == CSP.NONE:
        # A hostile destination gets nothing, whatever extra sources are configured.
        return {**settings.SECURE_CSP, "form-action": [CSP.NONE]}
    extra = [s for s in settings.TESSERA_CSP_POST_FORM_EXTRA_SOURCES if s and s != source]
    return {**settings.SECURE_CSP, "form-action": [source, *extra]}


def csp_for_post_form(response: HttpResponse, url: str) -> HttpResponse:
    """Give an auto-POST page the policy that lets its form go to ``url`` and nowhere else."""
    # Read by django.middleware.csp.ContentSecurityPolicyMiddleware instead of SECURE_CSP.
    response._csp_config = post_form_policy(url)
    return response
