"""Export connector logos from the Simple Icons brand-icon data (CC0).

The SVG paths come from the maintained ``simple-icons-pack`` package (a compiled
redistribution of the ``simple-icons`` npm package: ``get_icon(slug)`` returns an
``Icon`` named tuple with ``svg``, ``hex``, ``title``, ``license`` ...). If that module
cannot be imported, the same data is read from the ``simple-icons.zip`` archive that
ships inside ``django-simple-icons`` (``icons/<slug>.svg`` plus ``data.json`` with the
brand hex). No logo is drawn by hand.

Plain Python on purpose (no Django import), so it runs from a bare checkout::

    python -m sso_apps.catalog.icons              # writes static/sso_apps/logos/*.svg
    python -m sso_apps.catalog.icons --check      # exit 1 if a logo is missing/stale
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from sso_apps.catalog.schema import load_connector_file

__all__ = [
    "LOGO_SUBDIR",
    "BrandIcon",
    "check_logos",
    "colorize_svg",
    "export_logos",
    "get_brand_icon",
    "logo_path",
    "main",
]

#: Where logos live below the static root; templates use ``{% static 'sso_apps/logos/x.svg' %}``.
LOGO_SUBDIR = Path("sso_apps") / "logos"

CATALOG_DIR = Path(__file__).resolve().parent / "connectors"
# sso_apps/catalog/icons.py -> repository root is two levels above the sso_apps package.
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STATIC_DIR = REPO_ROOT / "static"

_SVG_OPEN_TAG = re.compile(r"<svg\b[^>]*>")
_FILL_ATTR = re.compile(r"\sfill=\"[^\"]*\"")
_HEX = re.compile(r"^#?([0-9A-Fa-f]{6})$")


class BrandIcon(NamedTuple):
    slug: str
    title: str
    hex: str  # "#RRGGBB"
    svg: str  # raw SVG markup as published by Simple Icons


def _from_simple_icons_pack(slug: str) -> BrandIcon | None:
    # NOTE: imported here, not at the top: the pack is optional (connectors fall back to
    # initials) and loading its thousands of icons costs time only the catalog loader pays.
    try:
        import simple_icons_pack
    except ImportError:  # pragma: no cover - depends on the installed wheel
        return None
    icon = simple_icons_pack.get_icon(slug)
    if icon is None:
        return None
    return BrandIcon(slug=icon.slug, title=icon.title, hex=f"#{icon.hex.upper()}", svg=icon.svg)


@lru_cache(maxsize=1)
def _zip_metadata() -> dict[str, dict[str, str]]:
    archive = resources.files("django_simple_icons").joinpath("simple-icons.zip")
    with archive.open("rb") as handle, zipfile.ZipFile(handle) as zipped:
        return json.loads(zipped.read("data.json"))


def _from_django_simple_icons(slug: str) -> BrandIcon | None:
    try:
        metadata = _zip_metadata()
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - package absent
        return None
    if slug not in metadata:
        return None
    archive = resources.files("django_simple_icons").joinpath("simple-icons.zip")
    with archive.open("rb") as handle, zipfile.ZipFile(handle) as zipped:
        svg = zipped.read(f"icons/{slug}.svg").decode("utf-8")
    entry = metadata[slug]
    return BrandIcon(slug=slug, title=entry["title"], hex=f"#{entry['hex'].upper()}", svg=svg)


def get_brand_icon(slug: str) -> BrandIcon | None:
    """The Simple Icons entry for ``slug`` (None if the brand is not in the package)."""
    return _from_simple_icons_pack(slug) or _from_django_simple_icons(slug)


def colorize_svg(svg: str, color: str) -> str:
    """Return ``svg`` with ``fill="#RRGGBB"`` set on the root ``<svg>`` element.

    Simple Icons paths carry no fill of their own, so a fill on the root element colours
    the whole glyph. An existing root ``fill`` attribute is replaced.
    """
    match = _HEX.match(color)
    if not match:
        raise ValueError(f"colour must be #RRGGBB, got {color!r}")
    fill = f"#{match.group(1).upper()}"
    opening = _SVG_OPEN_TAG.search(svg)
    if opening is None:
        raise ValueError("not an SVG document: no <svg> element found")
    tag = _FILL_ATTR.sub("", opening.group(0))
    tag = tag[:4] + f' fill="{fill}"' + tag[4:]  # right after "<svg"
    return svg[: opening.start()] + tag + svg[opening.end() :]


def logo_path(static_dir: str | Path, slug: str) -> Path:
    """``<static_dir>/sso_apps/logos/<slug>.svg``."""
    return Path(static_dir) / LOGO_SUBDIR / f"{slug}.svg"


def _render(connector: dict) -> tuple[Path, str]:
    slug, icon_slug = connector["slug"], connector["icon"]
    icon = get_brand_icon(icon_slug)
    if icon is None:
        raise ValueError(
            f"{slug}: icon {icon_slug!r} is not in simple-icons; set icon: null instead"
        )
    return Path(f"{slug}.svg"), colorize_svg(icon.svg, icon.hex).rstrip("\n") + "\n"


def _connectors_with_icons(catalog_dir: str | Path) -> list[dict]:
    connectors = [load_connector_file(p) for p in sorted(Path(catalog_dir).glob("*.yaml"))]
    return [c for c in connectors if c.get("icon")]


def export_logos(catalog_dir: str | Path, static_dir: str | Path) -> list[str]:
    """Write ``static/sso_apps/logos/<slug>.svg`` for every connector that has an ``icon``.

    The SVG is the Simple Icons glyph with ``fill`` set to the brand colour. Returns the
    written paths (as strings), sorted. Raises ``ValueError`` if a connector names an icon
    that the package does not have.
    """
    out_dir = Path(static_dir) / LOGO_SUBDIR
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    for connector in _connectors_with_icons(catalog_dir):
        name, svg = _render(connector)
        target = out_dir / name
        target.write_text(svg, encoding="utf-8")
        written.append(str(target))
    return sorted(written)


def check_logos(catalog_dir: str | Path, static_dir: str | Path) -> list[str]:
    """Problems (missing or out-of-date logo files); empty when everything is exported."""
    problems: list[str] = []
    for connector in _connectors_with_icons(catalog_dir):
        name, svg = _render(connector)
        target = Path(static_dir) / LOGO_SUBDIR / name
        if not target.is_file():
            problems.append(f"missing {target}")
        elif target.read_text(encoding="utf-8") != svg:
            problems.append(f"stale {target}")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sso_apps.catalog.icons",
        description="Export connector logos from simple-icons into the static directory.",
    )
    parser.add_argument("--catalog-dir", type=Path, default=CATALOG_DIR)
    parser.add_argument("--static-dir", type=Path, default=DEFAULT_STATIC_DIR)
    parser.add_argument(
        "--check", action="store_true", help="only report missing/stale logos; exit 1 if any"
    )
    args = parser.parse_args(argv)
    if args.check:
        problems = check_logos(args.catalog_dir, args.static_dir)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    written = export_logos(args.catalog_dir, args.static_dir)
    print(f"wrote {len(written)} logos to {Path(args.static_dir) / LOGO_SUBDIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
