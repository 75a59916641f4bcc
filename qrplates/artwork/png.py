"""The PNG: the trimmed plate rasterised at a chosen resolution (300 dpi unless asked), with the
resolution recorded in the file so layout software places it at its true size.

Pillow draws it. QR modules are snapped to whole pixels, each module edge rounded the same way
from the same millimetre position, so no module grows or shrinks against its neighbours; text is
rasterised by FreeType from the same font file, at the positions the layout decided.
"""

from __future__ import annotations

import functools
import io
import zlib

from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

from qrplates.artwork.fonts import Face, metrics
from qrplates.artwork.layout import QrSymbol, Rect, Scene, TextRun

MM_PER_INCH = 25.4


@functools.lru_cache(maxsize=64)
def pillow_font(face: Face, size_px: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(face.path), size=size_px, layout_engine=ImageFont.Layout.BASIC)


def render_png(scene: Scene, dpi: int) -> bytes:
    scale = dpi / MM_PER_INCH

    def px(value: float) -> int:
        return round(value * scale)

    image = Image.new("RGB", (px(scene.width_mm), px(scene.height_mm)), scene.background.rgb)
    draw = ImageDraw.Draw(image)
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
                fill=item.fill.rgb if item.fill else None,
                outline=item.stroke.rgb if item.stroke else None,
                width=max(1, px(item.stroke_mm)) if item.stroke else 0,
            )
        elif isinstance(item, QrSymbol):
            m = item.module_mm
            for row, column, length in item.runs():
                draw.rectangle(
                    (
                        px(item.x + column * m),
                        px(item.y + row * m),
                        px(item.x + (column + length) * m) - 1,
                        px(item.y + (row + 1) * m) - 1,
                    ),
                    fill=item.fill.rgb,
                )
        elif isinstance(item, TextRun):
            draw_text(draw, item, scale)
    info = PngInfo()
    info.add_itxt("Title", scene.title)
    info.add_itxt("Description", "\n".join(scene.description))
    info.add_text("Software", "Streetinfo")
    buffer = io.BytesIO()
    # Run-length deflate (zlib's Z_RLE): a plate is large flat areas of a few colours, which it
    # packs nearly as small (about 15 % larger) in well under half the time of the default.
    image.save(
        buffer,
        format="PNG",
        dpi=(dpi, dpi),
        pnginfo=info,
        compress_level=6,
        compress_type=zlib.Z_RLE,
    )
    return buffer.getvalue()


def draw_text(draw: ImageDraw.ImageDraw, run: TextRun, scale: float) -> None:
    font = pillow_font(run.face, round(run.size_mm * scale, 1))
    if not run.tracking_mm:
        draw.text(
            (run.x * scale, run.baseline * scale),
            run.text,
            font=font,
            fill=run.fill.rgb,
            anchor="ls",
        )
        return
    # Letter-spaced text: one glyph at a time, advancing by the same widths the layout used.
    face_metrics = metrics(run.face)
    x = run.x
    for char in run.text:
        draw.text(
            (x * scale, run.baseline * scale), char, font=font, fill=run.fill.rgb, anchor="ls"
        )
        x += face_metrics.width(char, run.size_mm) + run.tracking_mm
