"""Schema and validation for the connector catalog (``connectors/*.yaml``).

Plain Python on purpose: no Django import, so the catalog can be checked from a
bare ``pytest -p no:django`` run, a pre-commit hook or a data migration.

Public API:

* :func:`load_connector_file` -- read one YAML file into a dict.
* :func:`validate_connector` -- return a list of human-readable problems.
* :func:`load_catalog_dir` -- load and validate a whole directory; raises
  :class:`ValueError` listing every problem (including duplicate slugs).

The allowed keys and values are in :mod:`sso_apps.catalog.vocabulary` (re-exported
here) and the checks of the ``saml`` block in :mod:`sso_apps.catalog.saml_block`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from sso_apps.catalog.saml_block import validate_custom_saml_block, validate_saml_block
from sso_apps.catalog.vocabulary import (
    ATTRIBUTE_SOURCES,
    BINDINGS,
    CATEGORIES,
    COLOR_RE,
    CONNECTOR_TYPES,
    ICON_RE,
    LITERAL_UPPERCASE_WORDS,
    MAX_DESCRIPTION,
    NAMEID_FORMATS,
    NAMEID_SOURCES,
    PLACEHOLDER_NAME_RE,
    PLACEHOLDER_TOKEN_RE,
    REQUIRED_KEYS,
    SAML_KEYS,
    SLUG_RE,
)

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


def _check_https(value: Any, label: str, errors: list[str]) -> None:
    if not isinstance(value, str) or not value:
        errors.append(f"{label} must be a non-empty string")
    elif not value.startswith("https://"):
        errors.append(f"{label} must be an https:// URL, got {value!r}")


def _check_keys(data: dict[str, Any], errors: list[str]) -> None:
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        errors.append(f"missing keys: {', '.join(missing)}")
    unknown = sorted(set(data) - set(REQUIRED_KEYS))
    if unknown:
        errors.append(f"unknown keys: {', '.join(unknown)}")


def _check_texts(data: dict[str, Any], errors: list[str]) -> None:
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


def _check_classification(data: dict[str, Any], errors: list[str]) -> None:
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


def _check_card(data: dict[str, Any], errors: list[str]) -> None:
    """The catalog card: search keywords, logo and brand colour."""
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


def _checked_verified(data: dict[str, Any], errors: list[str]) -> bool:
    """Return ``verified``; anything but a boolean is a problem and counts as unverified."""
    verified = data.get("verified")
    if not isinstance(verified, bool):
        errors.append("verified must be true or false")
        return False
    return verified


def _check_sources(data: dict[str, Any], verified: bool, errors: list[str]) -> None:
    sources = data.get("sources")
    if not isinstance(sources, list):
        errors.append("sources must be a list")
        sources = []
    for index, url in enumerate(sources):
        _check_https(url, f"sources[{index}]", errors)
    if verified and data.get("type") == "saml" and not sources:
        errors.append("a verified saml connector must list at least one source")


def _checked_placeholders(data: dict[str, Any], errors: list[str]) -> list[Any]:
    """Return the ``placeholders`` list (empty if it is not a list), checking each name."""
    placeholders = data.get("placeholders")
    if not isinstance(placeholders, list):
        errors.append("placeholders must be a list")
        return []
    for name in placeholders:
        if not isinstance(name, str) or not PLACEHOLDER_NAME_RE.match(name):
            errors.append(f"placeholder {name!r} must be UPPER_CASE letters, digits and _")
    if len(set(map(str, placeholders))) != len(placeholders):
        errors.append("placeholders contains duplicates")
    return placeholders


def _check_saml(data: dict[str, Any], verified: bool, errors: list[str]) -> None:
    """Check the ``saml`` block as the connector's type requires."""
    connector_type, saml = data.get("type"), data.get("saml")
    if connector_type == "bookmark":
        if saml is not None:
            errors.append("bookmark connectors must have saml: null")
    elif connector_type == "custom_saml":
        validate_custom_saml_block(saml, errors)
    elif connector_type == "saml":
        if not isinstance(saml, dict):
            errors.append("saml connectors need a saml mapping")
        else:
            validate_saml_block(saml, verified, errors)


def _check_placeholder_use(saml: Any, placeholders: list[Any], errors: list[str]) -> None:
    used = find_placeholders(saml)
    listed = {p for p in placeholders if isinstance(p, str)}
    for name in sorted(used - listed):
        errors.append(f"placeholder {name} is used in the saml values but not listed")
    for name in sorted(listed - used):
        errors.append(f"placeholder {name} is listed but not used in the saml values")


def validate_connector(data: Any) -> list[str]:
    """Return a list of problems with one connector dict (empty list: valid)."""
    if not isinstance(data, dict):
        return ["connector must be a mapping"]
    errors: list[str] = []
    _check_keys(data, errors)
    _check_texts(data, errors)
    _check_classification(data, errors)
    _check_card(data, errors)
    verified = _checked_verified(data, errors)
    _check_sources(data, verified, errors)
    placeholders = _checked_placeholders(data, errors)
    _check_saml(data, verified, errors)
    _check_placeholder_use(data.get("saml"), placeholders, errors)
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
