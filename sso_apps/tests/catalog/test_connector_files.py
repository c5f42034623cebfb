"""Checks on the shipped connector catalog (plain pytest, no Django database needed).

Run alone with:  .venv/bin/python -m pytest -p no:django sso_apps/tests/catalog -q
"""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path

import pytest
import yaml

from sso_apps.catalog.icons import (
    LOGO_SUBDIR,
    check_logos,
    colorize_svg,
    export_logos,
    get_brand_icon,
)
from sso_apps.catalog.schema import (
    CATEGORIES,
    load_catalog_dir,
    load_connector_file,
    validate_connector,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
CATALOG_DIR = REPO_ROOT / "sso_apps" / "catalog" / "connectors"
STATIC_DIR = REPO_ROOT / "static"
CONNECTOR_FILES = sorted(CATALOG_DIR.glob("*.yaml"))


@pytest.fixture(scope="module")
def catalog() -> list[dict]:
    return load_catalog_dir(CATALOG_DIR)


@pytest.fixture(scope="module")
def by_slug(catalog) -> dict[str, dict]:
    return {c["slug"]: c for c in catalog}


def saml_connectors(catalog: list[dict]) -> list[dict]:
    return [c for c in catalog if c["type"] == "saml"]


# --------------------------------------------------------------------------- shipped data


@pytest.mark.parametrize("path", CONNECTOR_FILES, ids=lambda p: p.stem)
def test_every_shipped_file_validates(path):
    data = load_connector_file(path)
    assert validate_connector(data) == []
    assert data["slug"] == path.stem


def test_whole_catalog_loads(catalog):
    assert len(catalog) == len(CONNECTOR_FILES)
    slugs = [c["slug"] for c in catalog]
    assert len(slugs) == len(set(slugs))


def test_at_least_60_saml_connectors(catalog):
    assert len(saml_connectors(catalog)) >= 60


def test_every_category_has_at_least_four_saml_connectors(catalog):
    counts = Counter(c["category"] for c in saml_connectors(catalog))
    assert set(counts) == set(CATEGORIES)
    assert min(counts.values()) >= 4, counts


def test_gotoassist_present(by_slug):
    goto = by_slug["gotoassist"]
    assert goto["type"] == "saml"
    assert goto["category"] == "support"
    saml = goto["saml"]
    assert saml["sp_entity_id"]
    assert saml["acs_urls"] and all(u.startswith("https://") for u in saml["acs_urls"])
    # GoTo's Organization Center takes the IdP sign-out URL with POST binding (Okta/JumpCloud
    # procedures); the SP-side single-logout endpoint is therefore also POST.
    assert saml["sp_logout_binding"] == "post"
    # Placeholders, if any, are declared. (Where JumpCloud's YOURDOMAIN goes is not
    # published, so it is deliberately not invented here; see the catalog README.)
    used = {p for p in goto["placeholders"] if any(p in v for v in _saml_strings(saml))}
    assert used == set(goto["placeholders"])


def test_gotoassist_uses_gotos_current_values_not_the_legacy_citrix_ones(by_slug):
    # Entra's and Google Workspace's GoTo gallery apps; login.citrixonline.com is the legacy
    # endpoint (kept in the catalog README only).
    saml = by_slug["gotoassist"]["saml"]
    assert saml["sp_entity_id"] == "https://authentication.logmeininc.com/saml/sp"
    assert saml["acs_urls"] == ["https://authentication.logmeininc.com/saml/acs"]
    assert saml["default_relay_state"] == "https://app.gotoassist.com"
    assert not any("citrixonline" in value for value in _saml_strings(saml))


def test_placeholders_appear_in_values(catalog):
    for connector in saml_connectors(catalog):
        strings = list(_saml_strings(connector["saml"]))
        for name in connector["placeholders"]:
            assert any(name in s for s in strings), (connector["slug"], name)


def test_yourdomain_connectors_use_it_where_the_customer_value_goes(by_slug):
    zendesk = by_slug["zendesk"]
    assert zendesk["placeholders"] == ["YOURDOMAIN"]
    assert zendesk["saml"]["acs_urls"] == ["https://YOURDOMAIN.zendesk.com/access/saml"]
    slack = by_slug["slack"]
    assert slack["saml"]["sp_entity_id"] == "https://slack.com"  # fixed, not customer-specific


def test_custom_saml_and_bookmark_present(by_slug):
    custom = by_slug["custom-saml"]
    assert custom["type"] == "custom_saml"
    assert custom["name"] == "Custom SAML App"
    assert custom["verified"] is True
    assert custom["sources"] == []
    assert all(v in (None, "", []) for v in custom["saml"].values())

    bookmark = by_slug["bookmark"]
    assert bookmark["type"] == "bookmark"
    assert bookmark["name"] == "Bookmark"
    assert bookmark["saml"] is None


def test_verified_connectors_are_complete(catalog):
    for connector in saml_connectors(catalog):
        if not connector["verified"]:
            continue
        saml = connector["saml"]
        assert connector["sources"], connector["slug"]
        assert saml["sp_entity_id"], connector["slug"]
        assert saml["acs_urls"], connector["slug"]
        assert saml["nameid_format"] and saml["nameid_source"], connector["slug"]


def test_every_saml_connector_cites_a_source(catalog):
    for connector in saml_connectors(catalog):
        assert connector["sources"], connector["slug"]
        assert connector["docs_url"].startswith("https://"), connector["slug"]


# --------------------------------------------------------------------------- logos


def test_icons_exist_in_simple_icons(catalog):
    for connector in catalog:
        if connector["icon"]:
            icon = get_brand_icon(connector["icon"])
            assert icon is not None, connector["slug"]
            assert connector["color"].upper() == icon.hex, connector["slug"]


def test_every_connector_with_an_icon_has_its_svg(catalog):
    with_icons = [c for c in catalog if c["icon"]]
    assert with_icons
    for connector in with_icons:
        path = STATIC_DIR / LOGO_SUBDIR / f"{connector['slug']}.svg"
        assert path.is_file(), f"run: python -m sso_apps.catalog.icons ({path} missing)"
        svg = path.read_text(encoding="utf-8")
        assert svg.startswith("<svg")
        assert f'fill="{connector["color"].upper()}"' in svg
    assert check_logos(CATALOG_DIR, STATIC_DIR) == []


def test_export_logos_writes_coloured_svgs(tmp_path):
    written = export_logos(CATALOG_DIR, tmp_path)
    assert written
    zoom = tmp_path / LOGO_SUBDIR / "zoom.svg"
    assert str(zoom) in written
    assert 'fill="#0B5CFF"' in zoom.read_text(encoding="utf-8")


def test_export_logos_rejects_unknown_icon(tmp_path):
    catalog_dir = tmp_path / "connectors"
    catalog_dir.mkdir()
    bad = _valid_connector()
    bad["icon"] = "definitely-not-a-simple-icon"
    (catalog_dir / "example.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    with pytest.raises(ValueError, match="not in simple-icons"):
        export_logos(catalog_dir, tmp_path / "static")


def test_colorize_svg_replaces_existing_fill():
    svg = '<svg fill="#000000" viewBox="0 0 24 24"><path d="M0 0"/></svg>'
    out = colorize_svg(svg, "#abcdef")
    assert out.count("fill=") == 1
    assert out.startswith('<svg fill="#ABCDEF"')
    with pytest.raises(ValueError):
        colorize_svg(svg, "red")


# --------------------------------------------------------------------------- validator


def _valid_connector() -> dict:
    return {
        "slug": "example",
        "name": "Example",
        "type": "saml",
        "category": "support",
        "description": "An example app.",
        "docs_url": "https://example.com/sso",
        "keywords": ["example"],
        "icon": None,
        "color": "#123456",
        "verified": True,
        "sources": ["https://example.com/sso"],
        "placeholders": ["YOURDOMAIN"],
        "saml": {
            "sp_entity_id": "https://YOURDOMAIN.example.com",
            "acs_urls": ["https://YOURDOMAIN.example.com/saml/acs"],
            "sp_login_url": None,
            "sp_logout_url": None,
            "sp_logout_binding": "post",
            "nameid_format": "emailAddress",
            "nameid_source": "email",
            "sign_response": True,
            "sign_assertion": True,
            "attributes": [{"name": "email", "source": "email"}],
            "group_attribute": {"enabled": False, "name": None},
        },
    }


def test_valid_example_passes():
    assert validate_connector(_valid_connector()) == []


def _set(data: dict, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        data = data[key]
    if value is _DELETE:
        del data[last]
    else:
        data[last] = value


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("slug", _DELETE, "missing keys: slug"),
        ("saml.nameid_source", _DELETE, "saml is missing keys: nameid_source"),
        ("type", "oauth", "type must be one of"),
        ("category", "games", "category must be one of"),
        ("saml.nameid_format", "email", "saml.nameid_format must be one of"),
        ("saml.sp_logout_binding", "soap", "sp_logout_binding must be one of"),
        ("saml.acs_urls", ["http://YOURDOMAIN.example.com/acs"], "must be an https:// URL"),
        ("saml.sp_login_url", "http://YOURDOMAIN.example.com", "must be an https:// URL"),
        ("saml.sp_entity_id", "https://ORG_ID.example.com", "ORG_ID is used"),
        ("placeholders", ["YOURDOMAIN", "TENANT_ID"], "TENANT_ID is listed but not used"),
        ("slug", "Not A Slug", "slug must be lowercase"),
        ("color", "blue", "color must be a #RRGGBB"),
        ("saml.attributes", [{"name": "x", "source": "shoe_size"}], "source 'shoe_size'"),
        ("saml.attributes", [{"name": "x"}], "exactly one of 'source' or 'value'"),
        ("sources", [], "must list at least one source"),
        ("saml.acs_urls", [], "needs at least one URL"),
        ("saml.group_attribute", {"enabled": True, "name": None}, "name is required"),
    ],
)
def test_validator_catches_bad_values(path, value, expected):
    data = copy.deepcopy(_valid_connector())
    _set(data, path, value)
    errors = validate_connector(data)
    assert any(expected in e for e in errors), errors


def test_unverified_connector_may_leave_unknown_values_null():
    data = _valid_connector()
    data["verified"] = False
    data["saml"]["nameid_format"] = None
    data["saml"]["nameid_source"] = None
    data["saml"]["sp_entity_id"] = None
    data["placeholders"] = ["YOURDOMAIN"]
    assert validate_connector(data) == []
    data["verified"] = True
    errors = validate_connector(data)
    assert any("required for a verified connector" in e for e in errors)


def test_bookmark_must_not_carry_saml():
    data = _valid_connector()
    data["type"] = "bookmark"
    assert any("saml: null" in e for e in validate_connector(data))


def test_load_catalog_dir_reports_all_errors_and_duplicates(tmp_path):
    good = _valid_connector()
    (tmp_path / "example.yaml").write_text(yaml.safe_dump(good), encoding="utf-8")
    (tmp_path / "example-copy.yaml").write_text(yaml.safe_dump(good), encoding="utf-8")
    broken = copy.deepcopy(good)
    broken["slug"] = "broken"
    broken["category"] = "nope"
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    (tmp_path / "garbage.yaml").write_text("slug: [unclosed\n", encoding="utf-8")

    with pytest.raises(ValueError) as excinfo:
        load_catalog_dir(tmp_path)
    message = str(excinfo.value)
    assert "duplicate slug 'example'" in message
    assert "does not match the file name" in message
    assert "broken.yaml: category must be one of" in message
    assert "garbage.yaml: invalid YAML" in message


def test_load_catalog_dir_accepts_valid_directory(tmp_path):
    (tmp_path / "example.yaml").write_text(yaml.safe_dump(_valid_connector()), encoding="utf-8")
    assert [c["slug"] for c in load_catalog_dir(tmp_path)] == ["example"]


# --------------------------------------------------------------------------- helpers


def _saml_strings(saml: dict):
    for key in ("sp_entity_id", "sp_login_url", "sp_logout_url"):
        if isinstance(saml.get(key), str):
            yield saml[key]
    yield from saml.get("acs_urls") or []
    for attr in saml.get("attributes") or []:
        yield attr["name"]
        if "value" in attr:
            yield attr["value"]
