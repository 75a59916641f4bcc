"""The SVG: pure vectors at the plate's trimmed size in millimetres. The QR is one path and the
text is drawn as glyph outlines (fontTools), so the file looks the same in any editor or cutter
software whether or not it has the typeface; the words themselves travel in <title>, <desc> and
each text group's aria-label. Each glyph's outline is computed once, in font units, and placed
by a transform, which keeps the files exact and the rendering fast.
"""

from __future__ import annotations

import functools
from xml.sax.saxutils import escape, quoteattr

from fontTools.pens.svgPathPen import SVGPathPen

from qrplates.artwork.fonts import Face, metrics
from qrplates.artwork.layout import QrSymbol, Rect, Scene, TextRun
from qrplates.artwork.templates import Colour


def _n(value: float) -> str:
    """Coordinates to a hundredth of a millimetre: finer than any printer, shorter files."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _fill(colour: Colour | None) -> str:
    return colour.rgb.lower() if colour else "none"


@functools.cache
def glyph_path(face: Face, name: str) -> str:
    """A glyph's outline in font units (y up), drawn once per process and reused."""
    font = metrics(face)
    pen = SVGPathPen(font.glyph_set)
    font.glyph_set[name].draw(pen)
    return pen.getCommands()


def text_group(run: TextRun) -> str:
    """The run as glyph outlines: one group scaled from font units to millimetres (and flipped,
    font units being y-up), one path per glyph placed at its advance."""
    font = metrics(run.face)
    scale = run.size_mm / font.units_per_em
    tracking = run.tracking_mm / scale
    glyphs, x = [], 0.0
    for char in run.text:
        name = font.glyph_name(char)
        outline = glyph_path(run.face, name)
        if outline:
            glyphs.append(f'<path transform="translate({_n(x)})" d="{outline}"/>')
        x += font.advances[name] + tracking
    return (
        f"<g fill={quoteattr(_fill(run.fill))} aria-label={quoteattr(run.text)} "
        f'transform="matrix({scale:.6g} 0 0 {-scale:.6g} {_n(run.x)} {_n(run.baseline)})">'
        f"{''.join(glyphs)}</g>\n"
    )


def qr_path(symbol: QrSymbol) -> str:
    m = symbol.module_mm
    return "".join(
        f"M{_n(symbol.x + column * m)} {_n(symbol.y + row * m)}"
        f"h{_n(length * m)}v{_n(m)}h{_n(-length * m)}z"
        for row, column, length in symbol.runs()
    )


def render_svg(scene: Scene) -> bytes:
    width, height = _n(scene.width_mm), _n(scene.height_mm)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}mm" height="{height}mm" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="title desc">\n',
        f'<title id="title">{escape(scene.title)}</title>\n',
        f'<desc id="desc">{escape(chr(10).join(scene.description))}</desc>\n',
        f'<rect width="{width}" height="{height}" fill="{_fill(scene.background)}"/>\n',
    ]
    for item in scene.items:
        if isinstance(item, Rect):
            stroke = ""
            if item.stroke:
                stroke = f' stroke="{_fill(item.stroke)}" stroke-width="{_n(item.stroke_mm)}"'
            parts.append(
                f'<rect x="{_n(item.x)}" y="{_n(item.y)}" width="{_n(item.width)}" '
                f'height="{_n(item.height)}" rx="{_n(item.radius_mm)}" '
                f'fill="{_fill(item.fill)}"{stroke}/>\n'
            )
        elif isinstance(item, QrSymbol):
            parts.append(
                f'<path fill="{_fill(item.fill)}" shape-rendering="crispEdges" '
                f'd="{qr_path(item)}"/>\n'
            )
        elif isinstance(item, TextRun):
            parts.append(text_group(item))
    parts.append("</svg>\n")
    return "".join(parts).encode()
