"""The PNG: the trimmed plate rasterised at a chosen resolution (300 dpi unless asked), with the
resolution recorded in the file so layout software places it at its true size.

Pillow draws it. QR modules are snapped to whole pixels, each module edge rounded the same way
from the same millimetre position, so no module grows or shrinks against its neighbours; text is
rasterised by FreeType from the same font file, at the positions the layout decided.

The file is an indexed-colour PNG (colour type 3, one byte a pixel) with an exact palette: every
colour of the template as it is, plus, for each text colour over the colour it sits on, 32 even
steps between them for the antialiased edges of the letters. A plate is a few colours, so this is
the same picture as a full-colour file (no colour of the template moves; a letter's edge differs
by at most 1/64 of the step between its two colours) in a third of the bytes to compress, which
made the PNG several times faster to write. The image is drawn as palette indices directly, so
nothing is quantised after the fact: rectangles and QR modules are drawn with their colour's
index, and each run of text as FreeType's coverage (0–255), mapped to the steps of its ramp.
"""

from __future__ import annotations

import functools
import io
import math
import zlib

from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

from qrplates.artwork.fonts import Face, metrics
from qrplates.artwork.layout import QrSymbol, Rect, Scene, TextRun
from qrplates.artwork.templates import Colour

MM_PER_INCH = 25.4
# Steps between a text colour and the colour under it: antialiasing's 256 coverage levels fall
# on 33 shades (both ends included), each within 1/64 of the two colours' distance of the exact
# blend: no eye sees it at 300 dpi, and no decoder either (the QR itself has no such edges).
RAMP_STEPS = 32
PALETTE_SIZE = 256


@functools.lru_cache(maxsize=64)
def pillow_font(face: Face, size_px: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(face.path), size=size_px, layout_engine=ImageFont.Layout.BASIC)


class Inks:
    """The file's palette: each colour once, by index."""

    def __init__(self) -> None:
        self.colours: list[tuple[int, int, int]] = []
        self.indices: dict[tuple[int, int, int], int] = {}

    def index(self, rgb: tuple[int, int, int]) -> int:
        if rgb not in self.indices:
            self.indices[rgb] = len(self.colours)
            self.colours.append(rgb)
        return self.indices[rgb]

    def __getitem__(self, colour: Colour) -> int:
        return self.index(colour.rgb_tuple)

    def ramp(self, under: Colour, over: Colour, steps: int) -> list[int]:
        """For each coverage 0–255 of `over` on `under`, the index of the nearest step."""
        a, b = under.rgb_tuple, over.rgb_tuple
        shades = [
            self.index(tuple(round(a[c] + (b[c] - a[c]) * step / steps) for c in range(3)))
            for step in range(steps + 1)
        ]
        return [shades[round(coverage * steps / 255)] for coverage in range(256)]

    def palette(self) -> list[int]:
        return [value for rgb in self.colours for value in rgb]


def render_png(scene: Scene, dpi: int) -> bytes:
    scale = dpi / MM_PER_INCH

    def px(value: float) -> int:
        return round(value * scale)

    size = (px(scene.width_mm), px(scene.height_mm))
    inks = Inks()
    # Palette indices as the pixels of a one-byte image: given the palette at the end.
    image = Image.new("L", size, inks[scene.background])
    draw = ImageDraw.Draw(image)
    # Text is drawn last, each run in its colour over the colour it sits on (the topmost
    # filled rectangle under its start, or the plate).
    texts: list[tuple[TextRun, Colour]] = []
    filled: list[Rect] = []
    for item in scene.items:
        if isinstance(item, Rect):
            # Pillow strokes inside the box; SVG and PDF centre the stroke on it.
            grow = item.stroke_mm / 2 if item.stroke else 0
            draw.rounded_rectangle(
                (
                    px(item.x - grow),
                    px(item.y - grow),
                    px(item.x + item.width + grow) - 1,
                    px(item.y + item.height + grow) - 1,
                ),
                radius=px(item.radius_mm + grow),
                fill=inks[item.fill] if item.fill else None,
                outline=inks[item.stroke] if item.stroke else None,
                width=max(1, px(item.stroke_mm)) if item.stroke else 0,
            )
            if item.fill:
                filled.append(item)
        elif isinstance(item, QrSymbol):
            m, ink = item.module_mm, inks[item.fill]
            for row, column, length in item.runs():
                draw.rectangle(
                    (
                        px(item.x + column * m),
                        px(item.y + row * m),
                        px(item.x + (column + length) * m) - 1,
                        px(item.y + (row + 1) * m) - 1,
                    ),
                    fill=ink,
                )
        elif isinstance(item, TextRun):
            under = next(
                (
                    rect.fill
                    for rect in reversed(filled)
                    if rect.x <= item.x <= rect.x + rect.width
                    and rect.y <= item.baseline <= rect.y + rect.height
                ),
                scene.background,
            )
            texts.append((item, under))
    pairs = {(under, run.fill) for run, under in texts}
    # Fewer steps only if a template ever had so many text colours on so many grounds that 32
    # each would not fit in a palette (the template's own colours are at most 7).
    steps = max(1, min(RAMP_STEPS, (PALETTE_SIZE - 8) // max(len(pairs), 1)))
    ramps = {(under, over): inks.ramp(under, over, steps) for under, over in sorted(pairs, key=str)}
    for run, under in texts:
        draw_run(image, run, scale, ramps[(under, run.fill)], inks[under])
    image.putpalette(inks.palette())
    info = PngInfo()
    info.add_itxt("Title", scene.title)
    info.add_itxt("Description", "\n".join(scene.description))
    info.add_text("Software", "Streetinfo")
    buffer = io.BytesIO()
    # Run-length deflate (zlib's Z_RLE): a plate is large flat areas of a few colours, which it
    # packs within about 15 % of the default's size in a third of its time.
    image.save(
        buffer,
        format="PNG",
        dpi=(dpi, dpi),
        pnginfo=info,
        compress_level=6,
        compress_type=zlib.Z_RLE,
    )
    return buffer.getvalue()


def draw_run(image: Image.Image, run: TextRun, scale: float, ramp: list[int], under: int) -> None:
    """The run's letters as coverage, each level of it as its shade's index (`ramp`), on the
    picture of indices. Where the box of the letters holds only the colour under them (nearly
    always) it is pasted whole; otherwise only where a letter covers anything."""
    stamps = text_stamps(run, scale)
    if len(stamps) == 1:
        left, top, coverage = stamps[0]
    else:
        left = min(x for x, _y, _mask in stamps)
        top = min(y for _x, y, _mask in stamps)
        right = max(x + mask.width for x, _y, mask in stamps)
        bottom = max(y + mask.height for _x, y, mask in stamps)
        coverage = Image.new("L", (max(right - left, 0), max(bottom - top, 0)), 0)
        for x, y, mask in stamps:
            coverage.paste(255, (x - left, y - top), mask)
    if not coverage.width or not coverage.height:
        return
    box = (left, top, left + coverage.width, top + coverage.height)
    shades = coverage.point(ramp)
    if image.crop(box).getextrema() == (under, under):
        image.paste(shades, box)
    else:
        image.paste(shades, box, coverage.point(COVERED))


# Any coverage at all, as a paste mask.
COVERED = [0] + [255] * 255


# FreeType, as Pillow drives it, sets a line of text at whole pixels: the fraction of a pixel
# where it starts only decides which way it is rounded (three cases in each direction, found by
# trying every 1/1024 of a pixel; tests/qrplates/test_artwork_png.py checks it against Pillow's
# own drawing): exactly on the pixel, or rounded down, or up from 31.5/64 of a pixel across
# and 32.5/64 down (FreeType works in 64ths). So the same words at the same size are drawn once
# and their coverage reused wherever they fall in the same case: the call to action, the portal,
# the heading and the code's characters on every plate after the first, pixel for pixel what
# `ImageDraw.text` draws.
X_HALF = 31.5 / 64
Y_HALF = 32.5 / 64


# What is kept, so that a batch's drawing process stays small: single characters (the code's,
# letter-spaced; a few kilobytes each), and lines small enough to be the same on every plate (the
# call to action, the portal: under LINE_AREA, about 200,000 pixels); a long name, drawn for one
# plate, is not kept.
LINE_AREA = 300_000


def glyphs(face: Face, size_px: float, text: str, start_x: float, start_y: float):
    """FreeType's coverage of `text` (left end on the baseline at the given fraction of a
    pixel) and its offset from that point: Pillow's own `ImageDraw.text`, remembered when small."""
    if len(text) == 1:
        return _letter(face, size_px, text, start_x, start_y)
    if size_px * size_px * len(text) <= LINE_AREA:
        return _line(face, size_px, text, start_x, start_y)
    return _coverage(face, size_px, text, start_x, start_y)


def _coverage(face: Face, size_px: float, text: str, start_x: float, start_y: float):
    mask, offset = pillow_font(face, size_px).getmask2(
        text, "L", anchor="ls", start=(start_x, start_y)
    )
    coverage = Image.new("L", mask.size, 0)
    ImageDraw.Draw(coverage).draw.draw_bitmap((0, 0), mask, 255)
    return coverage, offset


_letter = functools.lru_cache(maxsize=2048)(_coverage)
_line = functools.lru_cache(maxsize=64)(_coverage)


def forget_letters() -> None:
    _letter.cache_clear()
    _line.cache_clear()


def text_stamps(run: TextRun, scale: float) -> list[tuple[int, int, Image.Image]]:
    """Where each piece of `run`'s coverage goes: (left, top, mask) in whole pixels."""
    size_px = round(run.size_mm * scale, 1)
    if run.tracking_mm:
        # Letter-spaced text: one glyph at a time, advancing by the same widths the layout used.
        face_metrics = metrics(run.face)
        pieces, x = [], run.x
        for char in run.text:
            pieces.append((char, x))
            x += face_metrics.width(char, run.size_mm) + run.tracking_mm
    else:
        pieces = [(run.text, run.x)]
    stamps = []
    y_px = run.baseline * scale
    for text, x in pieces:
        left, start_x = _snap(x * scale, X_HALF)
        top, start_y = _snap(y_px, Y_HALF)
        mask, (dx, dy) = glyphs(run.face, size_px, text, start_x, start_y)
        stamps.append((left + dx, top + dy, mask))
    return stamps


def _snap(position: float, half: float) -> tuple[int, float]:
    """The whole pixel and the case of the fraction: none, below `half`, from it on."""
    whole = math.floor(position)
    fraction = position - whole
    if fraction == 0:
        return whole, 0.0
    return whole, 0.75 if fraction >= half else 0.25
