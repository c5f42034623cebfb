"""Checks on a connector's ``saml`` block; each appends human-readable problems to ``errors``.

Plain Python like the rest of the catalog code: no Django import.
"""

from __future__ import annotations

from typing import Any

from sso_apps.catalog.vocabulary import (
    ATTRIBUTE_SOURCES,
    BINDINGS,
    LITERAL_UPPERCASE_WORDS,
    NAMEID_FORMATS,
    NAMEID_SOURCES,
    OPTIONAL_SAML_KEYS,
    PLACEHOLDER_TOKEN_RE,
    SAML_KEYS,
    URL_SAML_FIELDS,
)
from sso_apps.saml.sp_urls import sp_url_problem


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _check_sp_url(value: Any, label: str, errors: list[str]) -> None:
    # Shipped connectors point real tenants' browsers here: https:// only, never the
    # local-testing http:// allowance an admin can give one app.
    problem = sp_url_problem(value)
    if problem:
        errors.append(f"{label} must be an https:// URL: {problem}")


def _check_missing_keys(saml: dict[str, Any], errors: list[str]) -> None:
    missing = [key for key in SAML_KEYS if key not in saml]
    if missing:
        errors.append(f"saml is missing keys: {', '.join(missing)}")


def _check_keys(saml: dict[str, Any], errors: list[str]) -> None:
    _check_missing_keys(saml, errors)
    unknown = sorted(set(saml) - set(SAML_KEYS) - set(OPTIONAL_SAML_KEYS))
    if unknown:
        errors.append(f"saml has unknown keys: {', '.join(unknown)}")


def _check_entity_id(entity_id: Any, verified: bool, errors: list[str]) -> None:
    if entity_id is None:
        if verified:
            errors.append("saml.sp_entity_id is required for a verified connector")
    elif not isinstance(entity_id, str) or not entity_id.strip():
        errors.append("saml.sp_entity_id must be a non-empty string or null")
    elif "://" in entity_id and not entity_id.startswith(("https://", "http://")):
        errors.append(f"saml.sp_entity_id has an unexpected URL scheme: {entity_id!r}")
    elif any(ch.isspace() for ch in entity_id):
        errors.append("saml.sp_entity_id must not contain whitespace")


def _check_acs_urls(acs_urls: Any, verified: bool, errors: list[str]) -> None:
    if not isinstance(acs_urls, list):
        errors.append("saml.acs_urls must be a list")
        return
    if not acs_urls and verified:
        errors.append("saml.acs_urls needs at least one URL for a verified connector")
    for index, url in enumerate(acs_urls):
        _check_sp_url(url, f"saml.acs_urls[{index}]", errors)
    if len(set(acs_urls)) != len(acs_urls):
        errors.append("saml.acs_urls contains duplicates")


def _check_logout(saml: dict[str, Any], errors: list[str]) -> None:
    for key in URL_SAML_FIELDS:
        if saml.get(key) is not None:
            _check_sp_url(saml[key], f"saml.{key}", errors)
    binding = saml.get("sp_logout_binding")
    if binding not in BINDINGS:
        errors.append(f"saml.sp_logout_binding must be one of post, redirect; got {binding!r}")


def _check_relay_state(relay_state: Any, errors: list[str]) -> None:
    if relay_state is None:
        return
    _check_sp_url(relay_state, "saml.default_relay_state", errors)
    # Placeholders are filled in the SP URLs and attributes only; one here would reach the
    # SP verbatim, so a template may not carry one.
    tokens = PLACEHOLDER_TOKEN_RE.findall(relay_state) if isinstance(relay_state, str) else []
    if set(tokens) - LITERAL_UPPERCASE_WORDS:
        errors.append("saml.default_relay_state must not contain a placeholder")


def _check_choice(
    saml: dict[str, Any], key: str, allowed: frozenset[str], verified: bool, errors: list[str]
) -> None:
    """A closed-vocabulary value that only a verified connector must fill in."""
    value = saml.get(key)
    if value is None:
        if verified:
            errors.append(f"saml.{key} is required for a verified connector")
    elif value not in allowed:
        errors.append(f"saml.{key} must be one of {', '.join(sorted(allowed))}; got {value!r}")


def _check_signing(saml: dict[str, Any], errors: list[str]) -> None:
    for key in ("sign_response", "sign_assertion"):
        if not isinstance(saml.get(key), bool):
            errors.append(f"saml.{key} must be true or false")
    if saml.get("sign_response") is False and saml.get("sign_assertion") is False:
        errors.append("saml: at least one of sign_response / sign_assertion must be true")


def _check_attribute(attr: Any, label: str, seen: set[str], errors: list[str]) -> None:
    if not isinstance(attr, dict):
        errors.append(f"{label} must be a mapping with name and source or value")
        return
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


def _check_attributes(attributes: Any, errors: list[str]) -> None:
    if not isinstance(attributes, list):
        errors.append("saml.attributes must be a list")
        return
    seen: set[str] = set()
    for index, attr in enumerate(attributes):
        _check_attribute(attr, f"saml.attributes[{index}]", seen, errors)


def _check_group_attribute(group: Any, errors: list[str]) -> None:
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


def validate_saml_block(saml: dict[str, Any], verified: bool, errors: list[str]) -> None:
    """Check the ``saml`` block of a ``type: saml`` connector."""
    _check_keys(saml, errors)
    _check_entity_id(saml.get("sp_entity_id"), verified, errors)
    _check_acs_urls(saml.get("acs_urls"), verified, errors)
    _check_logout(saml, errors)
    _check_relay_state(saml.get("default_relay_state"), errors)
    _check_choice(saml, "nameid_format", NAMEID_FORMATS, verified, errors)
    _check_choice(saml, "nameid_source", NAMEID_SOURCES, verified, errors)
    _check_signing(saml, errors)
    _check_attributes(saml.get("attributes"), errors)
    _check_group_attribute(saml.get("group_attribute"), errors)


def validate_custom_saml_block(saml: Any, errors: list[str]) -> None:
    """Check that a ``custom_saml`` template has every key and leaves every value blank.

    A blank (null) value means Tessera's default when an app is created: see "What null
    means" in the catalog README.
    """
    if not isinstance(saml, dict):
        errors.append("custom_saml connectors need a saml mapping (with blank values)")
        return
    _check_missing_keys(saml, errors)
    keys = SAML_KEYS + OPTIONAL_SAML_KEYS
    filled = [key for key in keys if not _is_blank(saml.get(key))]
    if filled:
        errors.append(f"custom_saml template must leave saml values blank: {', '.join(filled)}")
