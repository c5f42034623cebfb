"""Small HTML pieces the SSO screens share: logos, status and certificate badges."""

from django.templatetags.static import static
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from sso_apps.contrast import indicator_colors
from sso_apps.models import Application, ConnectorTemplate, IdpKeyPair
from sso_apps.models.applications import PortalImageKind


def static_logo_url(path: str) -> str | None:
    """Return the URL of a catalog logo, or None when the file is not shipped."""
    if not path:
        return None
    try:
        return static(path)
    except ValueError:
        # The manifest storage refuses unknown files; an indicator beats a 500.
        return None


def _indicator(initials: str, color: str, size: int) -> SafeString:
    background, text = indicator_colors(color)
    return format_html(
        '<span class="sso-logo sso-logo--initials" data-css-logo-size="{}px" data-css-logo-bg="{}"'
        ' data-css-logo-fg="{}" aria-hidden="true">{}</span>',
        size,
        background,
        text,
        initials,
    )


def _image(url: str, size: int) -> SafeString:
    return format_html(
        '<span class="sso-logo" data-css-logo-size="{}px"><img src="{}" alt="" loading="lazy">'
        "</span>",
        size,
        url,
    )


def connector_logo(connector: ConnectorTemplate, size: int = 40) -> SafeString:
    """Return the connector's logo, or its initials on its brand colour."""
    url = static_logo_url(connector.logo)
    if url:
        return _image(url, size)
    return _indicator(connector.initials, connector.color, size)


def application_logo(application: Application, size: int = 32) -> SafeString:
    """Return what the User Console shows for the app: logo, uploaded image or indicator."""
    kind = application.portal_image_kind
    if kind == PortalImageKind.UPLOAD and application.portal_image:
        return _image(application.portal_image.url, size)
    if kind == PortalImageKind.LOGO:
        url = static_logo_url(application.connector.logo)
        if url:
            return _image(url, size)
        return _indicator(application.initials, application.connector.color, size)
    return _indicator(application.initials, application.portal_color, size)


def status_badge(application: Application) -> SafeString:
    """Return "Bookmark", "SSO active" or "SSO inactive" as a coloured badge."""
    if application.is_bookmark:
        return format_html('<span class="sso-badge sso-badge--neutral">{}</span>', _("Bookmark"))
    if application.sso_active:
        return format_html('<span class="sso-badge sso-badge--ok">{}</span>', _("SSO active"))
    return format_html('<span class="sso-badge sso-badge--off">{}</span>', _("SSO inactive"))


def certificate_label(key_pair: IdpKeyPair | None) -> tuple[str, str]:
    """Return (badge text, badge modifier) for the app's active certificate."""
    # "IDP Certificate Valid" is worded as the seed procedure words it (and its Expiring /
    # Expired siblings with it); everywhere else our UI says "IdP".
    if key_pair is None:
        return _("No IdP certificate"), "off"
    state = key_pair.expiry_state
    if state == "expired":
        return _("IDP Certificate Expired"), "danger"
    if state == "expiring":
        return _("IDP Certificate Expiring"), "warn"
    return _("IDP Certificate Valid"), "ok"


def certificate_badge(key_pair: IdpKeyPair | None, *, compact: bool = False) -> SafeString:
    """Return the certificate badge with its expiry date, e.g. "... Valid until 28 Nov 2031".

    `compact` says only "Valid", "Expiring" or "Expired" over the date, for the list; the
    full wording stays in the tooltip.
    """
    text, modifier = certificate_label(key_pair)
    if key_pair is None:
        return format_html('<span class="sso-badge sso-badge--{}">{}</span>', modifier, text)
    day = date_format(key_pair.not_after, "j M Y")
    if key_pair.expiry_state == "expired":
        when = _("since %(date)s") % {"date": day}
    else:
        when = _("until %(date)s") % {"date": day}
    if compact:
        return format_html(
            '<span class="sso-badge sso-badge--{} sso-badge--stacked" title="{} {}">{}'
            " <small>{}</small></span>",
            modifier,
            text,
            when,
            SHORT_CERTIFICATE_LABELS[key_pair.expiry_state],
            when,
        )
    return format_html(
        '<span class="sso-badge sso-badge--{}">{} <small>{}</small></span>', modifier, text, when
    )


SHORT_CERTIFICATE_LABELS = {
    "valid": _lazy("Valid"),
    "expiring": _lazy("Expiring"),
    "expired": _lazy("Expired"),
}


CATEGORY_LABELS = {
    "collaboration": _lazy("Collaboration"),
    "dev_tools": _lazy("Developer tools"),
    "hr": _lazy("HR"),
    "finance": _lazy("Finance"),
    "support": _lazy("Support"),
    "cloud": _lazy("Cloud"),
    "security": _lazy("Security"),
    "sales_marketing": _lazy("Sales & marketing"),
    "productivity": _lazy("Productivity"),
    "it_ops": _lazy("IT operations"),
}


def category_label(category: str) -> str:
    """Return a catalog category as people read it: "dev_tools" -> "Developer tools"."""
    return str(CATEGORY_LABELS.get(category) or category.replace("_", " ").capitalize())
