"""The PNG plate as a print shop opens it: the template's colours exactly, letters with smooth
edges drawn where Pillow itself would draw them, and the code that scans.

No database: the renderer is a pure function."""

from __future__ import annotations

import io
import itertools

import pytest
from PIL import Image, ImageDraw

from qrplates.artwork import PlateData, render_plate
from qrplates.artwork.fonts import Face
from qrplates.artwork.layout import TextRun
from qrplates.artwork.png import pillow_font, text_stamps
from qrplates.artwork.templates import HERITAGE, STREET, Colour
from tests.qrplates.decoding import decode_artwork
from tests.qrplates.test_artwork import BASE, NHI_THANH

KY_LUA = PlateData(
    code="K7LU4AQ",
    payload=BASE + "K7LU4AQ",
    name_vi="Phố Kỳ Lừa",
    name_en="Ky Lua Street",
    unit_name="Phường Đông Kinh",
    kind="street",
)


def blend(under: Colour, over: Colour, amount: float) -> tuple[int, ...]:
    a, b = under.rgb_tuple, over.rgb_tuple
    return tuple(a[c] + (b[c] - a[c]) * amount for c in range(3))


@pytest.mark.parametrize(("plate", "template"), [(KY_LUA, STREET), (NHI_THANH, HERITAGE)])
def test_the_png_keeps_the_template_colours_exactly_and_smooths_the_letters(plate, template):
    artwork = render_plate(plate, fmt="png", template=template, dpi=150)
    image = Image.open(io.BytesIO(artwork.content))
    colours = {rgb for _count, rgb in image.convert("RGB").getcolors(256)}
    palette = template.palette

    # Every solid colour of the template is in the file as it is, not a near shade.
    for colour in (palette.background, palette.panel, palette.qr, palette.text, palette.border):
        assert colour.rgb_tuple in colours
    # Everything else is a letter's edge: a shade between a text colour and what it sits on
    # (within half a step of 1/32), so the letters are smooth, not jagged.
    pairs = [
        (palette.background, palette.text),
        (palette.background, palette.secondary_text),
        (palette.panel, palette.code_text),
    ]
    edges = 0
    for rgb in colours:
        if rgb in {c.rgb_tuple for c in (palette.background, palette.panel, palette.border)}:
            continue
        edges += 1
        assert any(
            all(abs(rgb[c] - blend(under, over, step / 32)[c]) <= 1 for c in range(3))
            for under, over in pairs
            for step in range(33)
        ), rgb
    assert edges > 40
    assert decode_artwork(artwork.content, artwork.mime) == [plate.payload]


def test_letters_land_on_the_pixels_pillow_would_draw_them_on():
    """The PNG reuses letters drawn for an earlier plate wherever they fall on the same pixels:
    at any fraction of a pixel, the result is Pillow's own drawing of the words there (a
    letter-spaced code is drawn a character at a time, the same way)."""
    scale = 300 / 25.4
    words = ["Quét mã để xem thông tin", "ĐƯỜNG HOÀNG VĂN THỤ", "Lạng Sơn", "Q", "7"]
    fractions = [0, 0.1, 0.49, 31.5 / 64, 0.5, 32.5 / 64, 0.51, 0.9, 0.999]
    for text, face, size_mm, (fx, fy) in zip(
        itertools.cycle(words),
        itertools.cycle([Face.BOLD, Face.REGULAR]),
        itertools.cycle([6.5, 15.0, 5.5, 8.0]),
        itertools.product(fractions, fractions),
        strict=False,
    ):
        x, baseline = (40 + fx) / scale, (120 + fy) / scale
        run = TextRun(x, baseline, text, face, size_mm, Colour("#FFFFFF"))
        ours = Image.new("L", (1400, 200), 0)
        for left, top, mask in text_stamps(run, scale):
            ours.paste(mask, (left, top))
        pillows = Image.new("L", (1400, 200), 0)
        font = pillow_font(face, round(size_mm * scale, 1))
        ImageDraw.Draw(pillows).text((x * scale, baseline * scale), text, 255, font, anchor="ls")

        assert ours.tobytes() == pillows.tobytes(), (text, fx, fy)
