"""Schema and validation for the connector catalog (``connectors/*.yaml``).

Plain Python on purpose: no Django import, so the catalog can be checked from a
bare ``pytest -p no:django`` run, a pre-commit hook or a data migration.

Public API:

* :func:`load_connector_file` -- read one YAML file into a dict.
* :func:`validate_connector` -- return a list of human-readable problems.
* :func:`load_catalog_dir` -- load and validate a whole directory; raises
  :class:`ValueError` listing every problem (including duplicate slugs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from sso_apps.saml.constants import BindingName, NameIdFormatName
from sso_apps.saml.sp_urls import sp_url_problem

__all__ = [
    "ATTRIBUTE_SOURCES",
    "BINDINGS",
    "CATEGORIES",
    "CONNECTOR_TYPES",
    "NAMEID_FORMATS",
    "NAMEID_SOURCES",
    "REQUIRED_KEYS",
    "SAML_KEYS",
    "find_placeholders",
    "load_catalog_dir",
    "load_connector_file",
    "validate_connector",
]

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


def load_connector_file(path: str | Path) -> dict[str, Any]:
    """Read one connector YAML file and return it as a dict.

    Raises ``ValueError`` if the file is not valid YAML or not a mapping.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path.name}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: top level must be a mapping, got {type(data).__name__}")
    return data


def _saml_strings(saml: dict[str, Any]) -> Iterable[str]:
    """Every string value in a ``saml`` block that a placeholder may appear in."""
    for key in ("sp_entity_id", "sp_login_url", "sp_logout_url"):
        value = saml.get(key)
        if isinstance(value, str):
            yield value
    acs = saml.get("acs_urls")
    if isinstance(acs, list):
        yield from (url for url in acs if isinstance(url, str))
    attributes = saml.get("attributes")
    if isinstance(attributes, list):
        for attr in attributes:
            if isinstance(attr, dict):
                for key in ("name", "value"):
                    if isinstance(attr.get(key), str):
                        yield attr[key]
    group = saml.get("group_attribute")
    if isinstance(group, dict) and isinstance(group.get("name"), str):
        yield group["name"]


def find_placeholders(saml: dict[str, Any] | None) -> set[str]:
    """Upper-case placeholder tokens (YOURDOMAIN, ORG_ID, ...) used in the SAML values."""
    if not isinstance(saml, dict):
        return set()
    found: set[str] = set()
    for text in _saml_strings(saml):
        for token in PLACEHOLDER_TOKEN_RE.findall(text):
            if token not in LITERAL_UPPERCASE_WORDS:
                found.add(token)
    return found


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _check_https(value: Any, label: str, errors: list[str]) -> None:
    if not isinstance(value, str) or not value:
        errors.append(f"{label} must be a non-empty string")
    elif not value.startswith("https://"):
        errors.append(f"{label} must be an https:// URL, got {value!r}")


def _check_sp_url(value: Any, label: str, errors: list[str]) -> None:
    # Shipped connectors point real tenants' browsers here: https:// only, never the
    # local-testing http:// allowance an admin can give one app.
    problem = sp_url_problem(value)
    if problem:
        errors.append(f"{label} must be an https:// URL: {problem}")


def _validate_attributes(attributes: Any, errors: list[str]) -> None:
    if not isinstance(attributes, list):
        errors.append("saml.attributes must be a list")
        return
    seen: set[str] = set()
    for index, attr in enumerate(attributes):
        label = f"saml.attributes[{index}]"
        if not isinstance(attr, dict):
            errors.append(f"{label} must be a mapping with name and source or value")
            continue
        unknown = set(attr) - {"name", "source", "value"}
        if unknown:
            errors.append(f"{label} has unknown keys: {', '.join(sorted(unknown))}")
        name = attr.get("name")
        if not isinstance(name, str) or not name.strip():
            errors.append(f"{label}.name must be a non-empty string")
        elif name in seen:
            errors.append(f"{label}.name {name!r} is duplicated")
        else:
            seen.add(name)
        has_source, has_value = "source" in attr, "value" in attr
        if has_source == has_value:
            errors.append(f"{label} needs exactly one of 'source' or 'value'")
        elif has_source and attr["source"] not in ATTRIBUTE_SOURCES:
            errors.append(
                f"{label}.source {attr['source']!r} is not one of "
                f"{', '.join(sorted(ATTRIBUTE_SOURCES))}"
            )
        elif has_value and not isinstance(attr["value"], str):
            errors.append(f"{label}.value must be a string constant")


def _validate_group_attribute(group: Any, errors: list[str]) -> None:
    if not isinstance(group, dict):
        errors.append("saml.group_attribute must be a mapping {enabled, name}")
        return
    if set(group) != {"enabled", "name"}:
        errors.append("saml.group_attribute must have exactly the keys enabled and name")
    enabled = group.get("enabled")
    if not isinstance(enabled, bool):
        errors.append("saml.group_attribute.enabled must be true or false")
    name = group.get("name")
    if enabled and (not isinstance(name, str) or not name.strip()):
        errors.append("saml.group_attribute.name is required when enabled is true")
    if name is not None and not isinstance(name, str):
        errors.append("saml.group_attribute.name must be a string or null")


def _validate_saml_block(saml: dict[str, Any], verified: bool, errors: list[str]) -> None:
    missing = [key for key in SAML_KEYS if key not in saml]
    if missing:
        errors.append(f"saml is missing keys: {', '.join(missing)}")
    unknown = sorted(set(saml) - set(SAML_KEYS))
    if unknown:
        errors.append(f"saml has unknown keys: {', '.join(unknown)}")

    entity_id = saml.get("sp_entity_id")
    if entity_id is None:
        if verified:
            errors.append("saml.sp_entity_id is required for a verified connector")
    elif not isinstance(entity_id, str) or not entity_id.strip():
        errors.append("saml.sp_entity_id must be a non-empty string or null")
    elif "://" in entity_id and not entity_id.startswith(("https://", "http://")):
        errors.append(f"saml.sp_entity_id has an unexpected URL scheme: {entity_id!r}")
    elif any(ch.isspace() for ch in entity_id):
        errors.append("saml.sp_entity_id must not contain whitespace")

    acs_urls = saml.get("acs_urls")
    if not isinstance(acs_urls, list):
        errors.append("saml.acs_urls must be a list")
    else:
        if not acs_urls and verified:
            errors.append("saml.acs_urls needs at least one URL for a verified connector")
        for index, url in enumerate(acs_urls):
            _check_sp_url(url, f"saml.acs_urls[{index}]", errors)
        if len(set(acs_urls)) != len(acs_urls):
            errors.append("saml.acs_urls contains duplicates")

    for key in URL_SAML_FIELDS:
        if saml.get(key) is not None:
            _check_sp_url(saml[key], f"saml.{key}", errors)

    binding = saml.get("sp_logout_binding")
    if binding not in BINDINGS:
        errors.append(f"saml.sp_logout_binding must be one of post, redirect; got {binding!r}")

    nameid_format = saml.get("nameid_format")
    if nameid_format is None:
        if verified:
            errors.append("saml.nameid_format is required for a verified connector")
    elif nameid_format not in NAMEID_FORMATS:
        errors.append(
            f"saml.nameid_format must be one of {', '.join(sorted(NAMEID_FORMATS))}; "
            f"got {nameid_format!r}"
        )

    nameid_source = saml.get("nameid_source")
    if nameid_source is None:
        if verified:
            errors.append("saml.nameid_source is required for a verified connector")
    elif nameid_source not in NAMEID_SOURCES:
        errors.append(
            f"saml.nameid_source must be one of {', '.join(sorted(NAMEID_SOURCES))}; "
            f"got {nameid_source!r}"
        )

    for key in ("sign_response", "sign_assertion"):
        if not isinstance(saml.get(key), bool):
            errors.append(f"saml.{key} must be true or false")
    if saml.get("sign_response") is False and saml.get("sign_assertion") is False:
        errors.append("saml: at least one of sign_response / sign_assertion must be true")

    _validate_attributes(saml.get("attributes"), errors)
    _validate_group_attribute(saml.get("group_attribute"), errors)


def _validate_custom_saml_block(saml: Any, errors: list[str]) -> None:
    if not isinstance(saml, dict):
        errors.append("custom_saml connectors need a saml mapping (with blank values)")
        return
    missing = [key for key in SAML_KEYS if key not in saml]
    if missing:
        errors.append(f"saml is missing keys: {', '.join(missing)}")
    filled = [key for key in SAML_KEYS if not _is_blank(saml.get(key))]
    if filled:
        errors.append(f"custom_saml template must leave saml values blank: {', '.join(filled)}")


def validate_connector(data: Any) -> list[str]:
    """Return a list of problems with one connector dict (empty list: valid)."""
    if not isinstance(data, dict):
        return ["connector must be a mapping"]
    errors: list[str] = []

    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        errors.append(f"missing keys: {', '.join(missing)}")
    unknown = sorted(set(data) - set(REQUIRED_KEYS))
    if unknown:
        errors.append(f"unknown keys: {', '.join(unknown)}")

    slug = data.get("slug")
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        errors.append(f"slug must be lowercase [a-z0-9-], got {slug!r}")

    for key in ("name", "description"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            errors.append(f"{key} must be a non-empty string")
    description = data.get("description")
    if isinstance(description, str) and len(description) > MAX_DESCRIPTION:
        errors.append(f"description is longer than {MAX_DESCRIPTION} characters")

    connector_type = data.get("type")
    if connector_type not in CONNECTOR_TYPES:
        errors.append(
            f"type must be one of {', '.join(sorted(CONNECTOR_TYPES))}; got {connector_type!r}"
        )

    category = data.get("category")
    if category not in CATEGORIES:
        errors.append(f"category must be one of {', '.join(sorted(CATEGORIES))}; got {category!r}")

    docs_url = data.get("docs_url")
    if docs_url is not None:
        _check_https(docs_url, "docs_url", errors)
    elif connector_type == "saml":
        errors.append("docs_url is required for saml connectors")

    keywords = data.get("keywords")
    if not isinstance(keywords, list) or not all(
        isinstance(k, str) and k.strip() for k in keywords
    ):
        errors.append("keywords must be a list of non-empty strings")

    icon = data.get("icon")
    if icon is not None and (not isinstance(icon, str) or not ICON_RE.match(icon)):
        errors.append(f"icon must be null or a simple-icons slug, got {icon!r}")

    color = data.get("color")
    if not isinstance(color, str) or not COLOR_RE.match(color):
        errors.append(f"color must be a #RRGGBB hex string, got {color!r}")

    verified = data.get("verified")
    if not isinstance(verified, bool):
        errors.append("verified must be true or false")
        verified = False

    sources = data.get("sources")
    if not isinstance(sources, list):
        errors.append("sources must be a list")
        sources = []
    for index, url in enumerate(sources):
        _check_https(url, f"sources[{index}]", errors)
    if verified and connector_type == "saml" and not sources:
        errors.append("a verified saml connector must list at least one source")

    placeholders = data.get("placeholders")
    if not isinstance(placeholders, list):
        errors.append("placeholders must be a list")
        placeholders = []
    for name in placeholders:
        if not isinstance(name, str) or not PLACEHOLDER_NAME_RE.match(name):
            errors.append(f"placeholder {name!r} must be UPPER_CASE letters, digits and _")
    if len(set(map(str, placeholders))) != len(placeholders):
        errors.append("placeholders contains duplicates")

    saml = data.get("saml")
    if connector_type == "bookmark":
        if saml is not None:
            errors.append("bookmark connectors must have saml: null")
    elif connector_type == "custom_saml":
        _validate_custom_saml_block(saml, errors)
    elif connector_type == "saml":
        if not isinstance(saml, dict):
            errors.append("saml connectors need a saml mapping")
        else:
            _validate_saml_block(saml, verified, errors)

    used = find_placeholders(saml)
    listed = {p for p in placeholders if isinstance(p, str)}
    for name in sorted(used - listed):
        errors.append(f"placeholder {name} is used in the saml values but not listed")
    for name in sorted(listed - used):
        errors.append(f"placeholder {name} is listed but not used in the saml values")

    return errors


def load_catalog_dir(directory: str | Path) -> list[dict[str, Any]]:
    """Load every ``*.yaml`` connector in ``directory``, validated, sorted by slug.

    Raises ``ValueError`` listing every problem found (one per line), including files
    that fail to parse, slugs that do not match their file name and duplicate slugs.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"{directory}: not a directory")
    connectors: list[dict[str, Any]] = []
    errors: list[str] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = load_connector_file(path)
        except (OSError, ValueError) as exc:
            errors.append(str(exc))
            continue
        errors.extend(f"{path.name}: {problem}" for problem in validate_connector(data))
        slug = data.get("slug")
        if isinstance(slug, str):
            if slug != path.stem:
                errors.append(f"{path.name}: slug {slug!r} does not match the file name")
            if slug in seen:
                errors.append(f"{path.name}: duplicate slug {slug!r} (also in {seen[slug]})")
            else:
                seen[slug] = path.name
        connectors.append(data)
    if errors:
        raise ValueError("invalid connector catalog:\n" + "\n".join(errors))
    return sorted(connectors, key=lambda c: c["slug"])
