"""Content-Security-Policy, proxy trust and session lifetimes (TESSERA_*)."""

from django.utils.csp import CSP

from portal.middleware import trusted_networks
from portal.settings.env import env

# One policy for every page; the SAML auto-POST pages narrow form-action to their single
# destination (sso_apps.idp.csp). Inline script and style elements run only with the per-request
# nonce ({{ csp_nonce }}): Django's admin change list uses a nonce'd style element, and our own
# code is in static files.
# NOTE: style-src has no 'unsafe-inline', so style="" attributes are refused too; the few
# per-row values (logo size and colour) travel as data-css-* attributes that
# static/portal/css-vars.js turns into CSS custom properties (CSSOM is not subject to CSP).
# img-src allows data: because the Bootstrap 5 stylesheet draws its checkbox, select and
# close icons as data: SVG images; an image cannot run script.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Extra form-action sources for the SAML auto-POST pages, after their exact destination.
# NOTE: Chromium applies form-action to redirects that follow the POST too (the path is
# ignored after a redirect, the origin is not), so an SP whose ACS answers with a redirect to
# another origin is blocked by the exact policy; "https:" lets such SPs work.
TESSERA_CSP_POST_FORM_EXTRA_SOURCES = env.list("TESSERA_CSP_POST_FORM_EXTRA_SOURCES", default=[])

# Reverse proxies (IPs or CIDRs) whose X-Forwarded-Proto/-Host/-For headers are believed;
# from any other address portal.middleware.TrustedProxyMiddleware drops them. Empty: no one.
TESSERA_TRUSTED_PROXIES = env.list("TESSERA_TRUSTED_PROXIES", default=[])
# Refuse a typo at startup (and in `check`), not at the first request.
trusted_networks(TESSERA_TRUSTED_PROXIES)

# A console/IdP session ends after this long without a request, and this long after sign-in
# however active it is (accounts.middleware.SessionLifetimeMiddleware).
TESSERA_SESSION_IDLE_TIMEOUT_SECONDS = env.int(
    "TESSERA_SESSION_IDLE_TIMEOUT_SECONDS", default=8 * 3600
)
TESSERA_SESSION_ABSOLUTE_LIFETIME_SECONDS = env.int(
    "TESSERA_SESSION_ABSOLUTE_LIFETIME_SECONDS", default=24 * 3600
)
# The cookie (and the session row) never outlive the absolute lifetime.
SESSION_COOKIE_AGE = TESSERA_SESSION_ABSOLUTE_LIFETIME_SECONDS
