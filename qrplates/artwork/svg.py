"""The SVG: pure vectors at the plate's trimmed size in millimetres. The QR is one path and the
text is drawn as glyph outlines (fontTools), so the file looks the same in any editor or cutter
software whether or not it has the typeface; the words themselves travel in <title> and <desc>.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen

from qrplates.artwork.fonts import metrics
from qrplates.artwork.layout import QrSymbol, Rect, Scene, TextRun
from qrplates.artwork.templates import Colour


def _n(value: float) -> str:
    """Coordinates to a hundredth of a millimetre: finer than any printer, shorter files."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _fill(colour: Colour | None) -> str:
    return colour.rgb.lower() if colour else "none"


def text_path(run: TextRun) -> str:
    """The outlines of `run`'s glyphs, placed and scaled into millimetres."""
    font = metrics(run.face)
    scale = run.size_mm / font.units_per_em
    pen = SVGPathPen(font.glyph_set, ntos=_n)
    x = run.x
    for char in run.text:
        name = font.glyph_name(char)
        # Font units are y-up; the plate's millimetres are y-down.
        font.glyph_set[name].draw(TransformPen(pen, (scale, 0, 0, -scale, x, run.baseline)))
        x += font.advances[name] * scale + run.tracking_mm
    return pen.getCommands()


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
            parts.append(
                f"<path fill={quoteattr(_fill(item.fill))} aria-label={quoteattr(item.text)} "
                f'd="{text_path(item)}"/>\n'
            )
    parts.append("</svg>\n")
    return "".join(parts).encode()
