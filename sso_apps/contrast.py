"""WCAG contrast for the coloured initials indicators (catalog cards, list rows, tiles).

Each connector and app has its own background colour (a brand colour from the catalog, or
one an admin picked), so no single text colour reaches WCAG 2.2 AA's 4.5:1 on all of them:
white on Zoom's #2D8CFF is 3.4:1, on #FFCC22 1.6:1. For any sRGB colour, white or black
text reaches at least 4.5:1 (the worst case, a mid grey, is about 4.58:1), so we pick that one.
"""

import re

_HEX = re.compile(r"^#([0-9a-fA-F]{6})$")
LIGHT_TEXT = "#ffffff"
DARK_TEXT = "#000000"
# What the indicators fall back to when a stored colour is not #RRGGBB.
FALLBACK_BACKGROUND = "#5b6b8c"


def relative_luminance(color: str) -> float:
    """WCAG 2.2 relative luminance of a #RRGGBB colour (0 black ... 1 white)."""
    match = _HEX.match(color)
    if match is None:
        raise ValueError(f"not a #RRGGBB colour: {color!r}")
    value = match.group(1)
    channels = []
    for i in (0, 2, 4):
        c = int(value[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def indicator_colors(background: str) -> tuple[str, str]:
    """Return (background, text) for an initials indicator, the text at 4.5:1 or better.

    A colour that is not #RRGGBB (the fields are plain text an admin or a catalog file
    filled) becomes the fallback rather than reaching the page's CSS.
    """
    if not _HEX.match(background or ""):
        background = FALLBACK_BACKGROUND
    on_light = contrast_ratio(background, LIGHT_TEXT)
    on_dark = contrast_ratio(background, DARK_TEXT)
    return background, LIGHT_TEXT if on_light >= on_dark else DARK_TEXT
