import pytest

from sso_apps.contrast import (
    DARK_TEXT,
    FALLBACK_BACKGROUND,
    LIGHT_TEXT,
    contrast_ratio,
    indicator_colors,
)


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # The light-mode breadcrumb axe flagged: #c4dce8 on #2f5bea.
    assert contrast_ratio("#c4dce8", "#2f5bea") == pytest.approx(3.87, abs=0.01)


@pytest.mark.parametrize(
    ("background", "text"),
    [
        ("#FFCC22", DARK_TEXT),
        ("#CA8A04", DARK_TEXT),
        ("#1d3a9e", LIGHT_TEXT),
        ("#2f5bea", LIGHT_TEXT),
    ],
)
def test_indicator_text_is_the_readable_one(background, text):
    assert indicator_colors(background) == (background, text)


def test_every_background_gets_text_at_4_5_to_1():
    # A coarse sweep of the sRGB cube, mid greys included (the hardest case).
    for r in range(0, 256, 17):
        for g in range(0, 256, 17):
            for b in range(0, 256, 17):
                background = f"#{r:02x}{g:02x}{b:02x}"
                _, text = indicator_colors(background)
                assert contrast_ratio(background, text) >= 4.5, background
    for grey in range(0x70, 0x80):
        background = f"#{grey:02x}{grey:02x}{grey:02x}"
        assert contrast_ratio(background, indicator_colors(background)[1]) >= 4.5


@pytest.mark.parametrize("hostile", ["", "red", "#fff", "#12345g", 'x" onload="1', None])
def test_a_colour_that_is_not_rrggbb_never_reaches_the_page(hostile):
    assert indicator_colors(hostile) == (FALLBACK_BACKGROUND, LIGHT_TEXT)
