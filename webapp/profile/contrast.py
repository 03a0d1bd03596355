"""WCAG 2.1 contrast of two sRGB colours, so a profile cannot ship a look people cannot read."""
from __future__ import annotations

import re

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
#: WCAG 2.1 AA for normal text (1.4.3).
AA_TEXT = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance of `#rrggbb` (WCAG 2.1 definition)."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def ratio(one: str, other: str) -> float:
    """Contrast ratio, 1 to 21."""
    a, b = sorted((luminance(one), luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)
