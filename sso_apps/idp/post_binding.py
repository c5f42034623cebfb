"""Keep the signed-in user's session when an SP POSTs an AuthnRequest cross-site.

Our session cookie is SameSite=Lax, so a browser leaves it off the SP's cross-site
auto-POST (HTTP-POST binding). Handled as is, such a request would look anonymous: the
user would be asked to sign in again and a second session's cookie would replace theirs.
Instead, a cookieless POST is checked (without consuming its ID or touching the session)
and answered with a tiny page that re-posts the same fields to the same URL from our own
origin; that top-level same-origin POST carries the Lax cookie. Only the re-post is
processed for real.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.csp import CSP

from sso_apps.conf import app_settings
from sso_apps.idp.messages import message_receive
from sso_apps.idp.request_ids import RequestReplayError, request_id_recorded
from sso_apps.idp.runtime import AppRuntime
from sso_apps.models import Application

# Posted back by the repost page. Attacker-controlled like every other field, so it is
# never trusted alone: see is_cross_site().
REPOST_MARKER = "tessera_repost"
# Exactly what the HTTP-POST binding decoder reads (the signature is enveloped in the XML).
ECHOED_FIELDS = ("SAMLRequest", "RelayState")


def needs_same_site_repost(request: HttpRequest) -> bool:
    """Return whether this POST must first be re-posted from our origin to carry our cookie."""
    if request.method != "POST" or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    try:
        marker = request.POST.get(REPOST_MARKER)
    except (RequestDataTooBig, TooManyFieldsSent):
        return True  # the precheck refuses (and audits) a body Django will not parse
    if marker != "1":
        return True
    # A forged marker posted cross-site arrives without the victim's cookie too; answering
    # it would create a session whose cookie replaces theirs. Send it round the repost page
    # like any first hop: the browser's same-origin re-post then brings the cookie along.
    return is_cross_site(request)


def is_cross_site(request: HttpRequest) -> bool:
    """Return whether the browser says this request came from a page not of our origin.

    Pages cannot forge Sec-Fetch-Site, Origin or Referer, so a browser's same-origin
    claim is believed. Current browsers send at least Origin on a POST; a request with
    none of them is not from one (e.g. a script or test client) and is let through.
    """
    own = _own_origins(request)
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site != "same-origin"
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin.lower() not in own
    referer = request.headers.get("Referer")
    if referer is not None:
        return _origin(referer) not in own
    return False


def authn_request_precheck(
    *, http_request: HttpRequest, application: Application, runtime: AppRuntime
) -> None:
    """Validate a POSTed AuthnRequest as the real pass will, without consuming its ID.

    Hostile input is refused (and audited by the caller) at the first hop, and the
    repost page never echoes what the decoder would not accept, size caps included.
    """
    received = message_receive(
        http_request=http_request,
        application=application,
        runtime=runtime,
        kinds={"AuthnRequest"},
    )
    # Read-only: the re-post's answer records the ID; here a replay is only spotted early.
    if request_id_recorded(application=application, request_id=received.message.id):
        raise RequestReplayError()


def repost_page(*, http_request: HttpRequest, application: Application) -> HttpResponse:
    """Render the page that re-posts the request's SAML fields to the same endpoint."""
    fields = {name: http_request.POST[name] for name in ECHOED_FIELDS if name in http_request.POST}
    response = render(
        http_request,
        "sso_apps/saml/repost.html",
        {
            # Our own URL for this app, never the request's path or anything it names.
            "action": reverse("saml:sso", args=[application.idp_suffix]),
            "fields": fields,
            "marker": REPOST_MARKER,
            "application": application,
        },
    )
    response._csp_config = _repost_policy()
    # The re-post must tell us it is same-origin: keep Origin and Referer on it even if the
    # site-wide policy is stricter ("no-referrer" would make Origin "null").
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _repost_policy() -> dict:
    # The site-wide policy, narrowed: the page's only script is its nonce'd auto-submit
    # and its only form goes to this same endpoint.
    base = dict(getattr(settings, "SECURE_CSP", None) or {})
    return {
        **base,
        "default-src": base.get("default-src", [CSP.SELF]),
        "script-src": [CSP.NONCE],
        "form-action": [CSP.SELF],
        "frame-ancestors": [CSP.NONE],
        "base-uri": [CSP.NONE],
        "object-src": [CSP.NONE],
    }


def _own_origins(request: HttpRequest) -> set[str]:
    return {_origin(request.build_absolute_uri("/")), _origin(app_settings.base_url)}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
