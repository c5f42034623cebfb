"""The words a connector file may use: its keys, and the values each closed key allows.

These are the catalog's own short names (``nameid_format: emailAddress``,
``sp_logout_binding: post``); the SAML URIs they stand for live with the SAML code.
"""

import re

from sso_apps.saml.constants import BindingName, NameIdFormatName

REQUIRED_KEYS: tuple[str, ...] = (
    "slug",
    "name",
    "type",
    "category",
    "description",
    "docs_url",
    "keywords",
    "icon",
    "color",
    "verified",
    "sources",
    "placeholders",
    "saml",
)

SAML_KEYS: tuple[str, ...] = (
    "sp_entity_id",
    "acs_urls",
    "sp_login_url",
    "sp_logout_url",
    "sp_logout_binding",
    "nameid_format",
    "nameid_source",
    "sign_response",
    "sign_assertion",
    "attributes",
    "group_attribute",
)
# Keys a saml block may leave out (absent == null), so that adding one needs no edit of
# every shipped file. default_relay_state: the RelayState an IdP-initiated login sends when
# the SP publishes one (GoTo: https://app.gotoassist.com picks GoToAssist).
OPTIONAL_SAML_KEYS: tuple[str, ...] = ("default_relay_state",)

CONNECTOR_TYPES = frozenset({"saml", "bookmark", "custom_saml"})
CATEGORIES = frozenset(
    {
        "collaboration",
        "dev_tools",
        "hr",
        "finance",
        "support",
        "cloud",
        "security",
        "sales_marketing",
        "productivity",
        "it_ops",
    }
)
NAMEID_FORMATS = frozenset(name.value for name in NameIdFormatName)
NAMEID_SOURCES = frozenset({"email", "username", "employee_id"})
BINDINGS = frozenset(name.value for name in BindingName)
ATTRIBUTE_SOURCES = frozenset(
    {
        "email",
        "username",
        "first_name",
        "last_name",
        "display_name",
        "department",
        "job_title",
        "employee_id",
    }
)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ICON_RE = re.compile(r"^[a-z0-9_]+$")
COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
PLACEHOLDER_NAME_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")
# A run of upper-case letters/digits/underscores, at least 4 long, not glued to other
# alphanumerics: YOURDOMAIN, ORG_ID, TENANT_ID ... but not "SSO" in ".../saml/SSO" or the
# "SSO" of "SSOService".
PLACEHOLDER_TOKEN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z][A-Z0-9_]{3,}(?![A-Za-z0-9])")
# Upper-case words that legitimately occur in vendor URLs and are not placeholders.
LITERAL_UPPERCASE_WORDS = frozenset({"SAML", "HTTP", "HTTPS", "SAML2"})

# Endpoints the browser is sent to must be https://. ``sp_entity_id`` is deliberately not in
# this list: it is an opaque identifier compared byte for byte with the SP's own value, and a
# few vendors publish http:// identifiers (Workday: ``http://www.workday.com``) that must be
# kept verbatim or the SP rejects the Audience.
URL_SAML_FIELDS: tuple[str, ...] = ("sp_login_url", "sp_logout_url")
MAX_DESCRIPTION = 200
