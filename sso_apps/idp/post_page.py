"""The auto-submitting SAML POST page, rendered by Django once per shape, then filled in.

Every SSO ends on this page, and rendering it (base layout, blocks, context processors)
cost about as much CPU as signing the Response. What changes from one SSO to the next is
only the destination, the encoded message, the RelayState and the CSP nonce, so the page
is rendered once per process for each (template, label, parameter, with or without
RelayState) with a unique token in each of those places, and each request puts its
values there, escaped exactly as the template's autoescaping escapes them
(django.utils.html.escape), so the bytes equal a full render (tests hold this).

The page never shows queued messages: it submits itself at once, and a message left in
the store appears on the next page the user sees instead of vanishing here.
"""

import functools
import secrets

from django.template.context_processors import csp as csp_context
from django.template.loader import get_template
from django.utils.html import escape

_SLOTS = ("acs_url", "saml_response", "relay_state", "csp_nonce")


@functools.lru_cache(maxsize=1024)
def _shape(template_name: str, label: str, parameter: str, with_relay_state: bool):
    """Render the page with a token in each slot; return (text split at the tokens, order)."""
    # Letters and digits only, so autoescaping leaves the tokens as they are.
    tokens = {name: f"tesseraslot{secrets.token_hex(12)}" for name in _SLOTS}
    context = {
        "application": {"display_label": label},
        "saml_parameter": parameter,
        "acs_url": tokens["acs_url"],
        "saml_response": tokens["saml_response"],
        "relay_state": tokens["relay_state"] if with_relay_state else "",
        "csp_nonce": tokens["csp_nonce"],
    }
    text = get_template(template_name).render(context)
    by_token = {token: name for name, token in tokens.items()}
    # Cut once at the tokens, so that each request only joins: text, value, text, ...
    positions = sorted(
        (index, name) for token, name in by_token.items() for index in _find_all(text, token)
    )
    order = [name for _, name in positions]
    pieces, cursor = [], 0
    for index, name in positions:
        pieces.append(text[cursor:index])
        cursor = index + len(tokens[name])
    pieces.append(text[cursor:])
    return tuple(pieces), tuple(order)


def _find_all(text: str, token: str):
    start = text.find(token)
    while start != -1:
        yield start
        start = text.find(token, start + len(token))


def post_page_render(*, http_request, template_name: str, label: str, context: dict) -> str:
    """Return the POST page for `context` (post_form_context's keys), as a full render would."""
    relay_state = context.get("relay_state") or ""
    pieces, order = _shape(
        template_name, label, context.get("saml_parameter") or "SAMLResponse", bool(relay_state)
    )
    values = {
        "acs_url": escape(context["acs_url"]),
        "saml_response": escape(context["saml_response"]),
        "relay_state": escape(relay_state),
        # Generating the nonce here is what makes the CSP middleware put it in the header.
        "csp_nonce": escape(str(csp_context(http_request)["csp_nonce"])),
    }
    out = [pieces[0]]
    for name, piece in zip(order, pieces[1:], strict=True):
        out.append(values[name])
        out.append(piece)
    return "".join(out)
