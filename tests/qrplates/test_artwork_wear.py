"""Years outdoors: the PNG still scans after simulated wear (a blot over 15% of the symbol,
faded contrast, a tilted view, a blurred camera), thanks to error correction H and the quiet
zone. The same wear defeats error correction L, so the simulation is harsh enough to matter."""

from __future__ import annotations

import math

import pytest
from PIL import Image, ImageDraw, ImageFilter

from qrplates.artwork import layout_plate, render_plate, template_for_kind
from qrplates.artwork.layout import QrSymbol
from qrplates.artwork.templates import STREET
from tests.qrplates.decoding import decode, raster
from tests.qrplates.test_artwork import AI_CHI_LANG, HOANG_VAN_THU

DPI = 150
BLOT_SHARE = 0.15


def solve(matrix: list[list[float]], values: list[float]) -> list[float]:
    """Gaussian elimination for the 8 perspective coefficients (no numpy in the project)."""
    n = len(values)
    rows = [[*row, value] for row, value in zip(matrix, values, strict=True)]
    for column in range(n):
        pivot = max(range(column, n), key=lambda r: abs(rows[r][column]))
        rows[column], rows[pivot] = rows[pivot], rows[column]
        for r in range(n):
            if r != column:
                factor = rows[r][column] / rows[column][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[column], strict=True)]
    return [rows[r][n] / rows[r][r] for r in range(n)]


def perspective(image: Image.Image, squeeze: float) -> Image.Image:
    """The plate seen from below and to one side: its right edge `squeeze` shorter than the
    left, as a true perspective (not an affine shear)."""
    w, h = image.size
    corners = [(0, 0), (w, 0), (w, h), (0, h)]
    seen = [(0, 0), (w, h * squeeze / 2), (w, h * (1 - squeeze / 2)), (0, h)]
    matrix, values = [], []
    # Pillow maps each output pixel back to the input: output (seen) -> input (corners).
    for (x, y), (u, v) in zip(seen, corners, strict=True):
        matrix.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        values.append(u)
        matrix.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values.append(v)
    return image.transform(
        image.size,
        Image.Transform.PERSPECTIVE,
        solve(matrix, values),
        resample=Image.Resampling.BICUBIC,
        fillcolor=(128, 128, 128),
    )


def weathered(image: Image.Image, symbol: QrSymbol) -> Image.Image:
    scale = DPI / 25.4
    module = symbol.module_mm * scale
    side = len(symbol.matrix) * module
    image = image.copy()
    # A blot (mud, a sticker's residue) over 15% of the symbol's area, on the data region at
    # the centre, away from the three finder patterns in the corners.
    radius = math.sqrt(BLOT_SHARE * side * side / math.pi)
    cx, cy = symbol.x * scale + side / 2, symbol.y * scale + side / 2
    ImageDraw.Draw(image).ellipse(
        (cx - radius, cy - radius, cx + radius, cy + radius), fill=(70, 55, 40)
    )
    # Faded ink on a dusty panel: the whole range squeezed into its middle third.
    image = image.point(lambda value: round(105 + value * 0.35))
    image = perspective(image, squeeze=0.12)
    return image.filter(ImageFilter.GaussianBlur(radius=module / 3))


def symbol_of(plate, template, error_correction: str) -> QrSymbol:
    scene = layout_plate(plate, template, error_correction)
    return next(item for item in scene.items if isinstance(item, QrSymbol))


@pytest.mark.parametrize("plate", [HOANG_VAN_THU, AI_CHI_LANG], ids=lambda p: p.kind)
def test_the_png_still_scans_after_years_outdoors(plate):
    artwork = render_plate(plate, fmt="png", dpi=DPI)
    symbol = symbol_of(plate, template_for_kind(plate.kind), "H")

    worn = weathered(raster(artwork.content, artwork.mime)[0], symbol)

    assert decode(worn) == [plate.payload]


def test_the_same_wear_defeats_a_code_without_enough_error_correction():
    artwork = render_plate(HOANG_VAN_THU, fmt="png", dpi=DPI, error_correction="L")
    symbol = symbol_of(HOANG_VAN_THU, STREET, "L")

    worn = weathered(raster(artwork.content, artwork.mime)[0], symbol)

    assert decode(worn) == []
