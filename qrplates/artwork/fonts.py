"""The plate typeface, loaded from the project's static files, and the text metrics every format
shares.

All three formats place text from the same numbers (the font's own advance widths and glyph
bounds, read with fontTools), so a name that fits on the PDF fits on the SVG and the PNG too.
There is no kerning: PDF text drawn by reportlab is not kerned, and the other formats follow it
so the three stay identical. Text is NFC-normalised on the way in: NFC turns a base letter plus
combining marks into the one precomposed glyph the font draws with correctly stacked marks
("Ấ", "Ệ"), where a decomposed sequence would need mark positioning that none of the
renderers here does.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from fontTools.ttLib import TTFont

from lib.text import nfc

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts" / "be-vietnam-pro"


class Face(enum.StrEnum):
    REGULAR = "regular"
    BOLD = "bold"

    @property
    def path(self) -> Path:
        return FONT_DIR / FILES[self]

    @property
    def postscript_name(self) -> str:
        return POSTSCRIPT_NAMES[self]


FILES = {Face.REGULAR: "BeVietnamPro-Regular.ttf", Face.BOLD: "BeVietnamPro-Bold.ttf"}
POSTSCRIPT_NAMES = {Face.REGULAR: "BeVietnamPro-Regular", Face.BOLD: "BeVietnamPro-Bold"}


@dataclass(frozen=True)
class Ink:
    """How far a line's glyphs reach, in millimetres: `above` the baseline (up to the top of the
    highest stacked mark) and `below` it (down to the lowest descender or dot below)."""

    width: float
    above: float
    below: float


class FontMetrics:
    """Advance widths and glyph bounds of one face, in font units, from the TTF itself."""

    def __init__(self, face: Face) -> None:
        self.face = face
        font = TTFont(face.path, lazy=False)
        self.font = font
        self.units_per_em: int = font["head"].unitsPerEm
        self.cmap: dict[int, str] = font.getBestCmap()
        self.advances: dict[str, int] = {
            name: adv for name, (adv, _lsb) in font["hmtx"].metrics.items()
        }
        glyf = font["glyf"]
        self.bounds: dict[str, tuple[int, int]] = {}
        for name in font.getGlyphOrder():
            glyph = glyf[name]
            if glyph.numberOfContours:
                glyph.recalcBounds(glyf)
                self.bounds[name] = (glyph.yMin, glyph.yMax)
        self.cap_height: int = font["OS/2"].sCapHeight
        self.glyph_set = font.getGlyphSet()

    def glyph_name(self, char: str) -> str:
        return self.cmap.get(ord(char), ".notdef")

    def width(self, text: str, size_mm: float, tracking_mm: float = 0.0) -> float:
        units = sum(self.advances[self.glyph_name(char)] for char in text)
        return units * size_mm / self.units_per_em + tracking_mm * max(len(text) - 1, 0)

    def ink(self, text: str, size_mm: float, tracking_mm: float = 0.0) -> Ink:
        """Width and vertical reach of `text`; never less than the cap height above the baseline,
        so lines of the same size sit on the same grid whatever letters they hold."""
        scale = size_mm / self.units_per_em
        above, below = self.cap_height, 0
        for char in text:
            low, high = self.bounds.get(self.glyph_name(char), (0, 0))
            above, below = max(above, high), max(below, -low)
        return Ink(self.width(text, size_mm, tracking_mm), above * scale, below * scale)

    def missing(self, text: str) -> set[str]:
        """The characters of `text` (NFC) that this face has no glyph for."""
        return {char for char in nfc(text) if not char.isspace() and ord(char) not in self.cmap}


@functools.cache
def metrics(face: Face) -> FontMetrics:
    return FontMetrics(face)


def missing_characters(text: str) -> set[str]:
    """Characters no plate face can draw: a non-empty answer means the text would print as boxes."""
    return metrics(Face.REGULAR).missing(text) | metrics(Face.BOLD).missing(text)
