"""The QR code of a plate, as data and as files. Pure functions: a code and the payload settings
in, bytes out; no database access.

Error correction is level H on purpose: a plate hangs outdoors for years, and H still reads with
up to 30 % of the symbol scratched, dirty or lit by glare. The payload is upper case by default
so that all of it is in the QR alphanumeric set (5.5 bits a character instead of 8): with
`https://qr.langson.gov.vn` that is version 3 (29×29 modules) instead of version 5 (37×37), and
on the same plate every module is a quarter larger, so the code reads from farther away.
"""

from __future__ import annotations

import io
from typing import Literal, NamedTuple

import qrcode
from django.conf import settings
from PIL import Image
from qrcode.util import MODE_8BIT_BYTE, MODE_ALPHA_NUM, QRData

ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_H
QUIET_ZONE = 4  # modules of white margin the QR standard requires around the symbol
PayloadCase = Literal["upper", "hybrid", "lower"]
ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
# Extra bits a second segment costs: its 4-bit mode indicator and 9-bit character count.
SEGMENT_OVERHEAD_BITS = 13


class RenderedFile(NamedTuple):
    filename: str
    mime: str
    content: bytes


def payload(code: str, *, base_url: str | None = None, case: PayloadCase | None = None) -> str:
    """What the plate's QR code says: PUBLIC_BASE_URL + "/Q/" + CODE, in the configured case."""
    base_url = settings.PUBLIC_BASE_URL if base_url is None else base_url
    case = settings.QR_PAYLOAD_CASE if case is None else case
    url = f"{base_url}/Q/{code}"
    if case == "upper":
        return url.upper()
    if case == "hybrid":
        return f"{base_url.lower()}/Q/{code.upper()}"
    return url.lower()


def segments(text: str) -> list[QRData]:
    """The cheapest split of `text` into QR segments: all alphanumeric when it can be, else
    byte mode for the head and alphanumeric for an upper-case tail ("/Q/CODE") when that saves
    more than the extra segment costs. This is what makes the "hybrid" case one version smaller
    than the lower case, where a generic encoder would use byte mode throughout."""
    if all(ch in ALPHANUMERIC for ch in text):
        return [QRData(text, mode=MODE_ALPHA_NUM)]
    split = len(text)
    while split > 0 and text[split - 1] in ALPHANUMERIC:
        split -= 1
    tail = len(text) - split
    saved_bits = tail * 8 - (tail * 11 + 1) // 2
    if saved_bits <= SEGMENT_OVERHEAD_BITS:
        return [QRData(text, mode=MODE_8BIT_BYTE)]
    return [
        QRData(text[:split], mode=MODE_8BIT_BYTE),
        QRData(text[split:], mode=MODE_ALPHA_NUM),
    ]


def make_qr(text: str) -> qrcode.QRCode:
    """The smallest QR symbol at level H that holds `text`."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE)
    for segment in segments(text):
        qr.add_data(segment)
    qr.make(fit=True)
    return qr


def qr_version(text: str) -> int:
    return make_qr(text).version


def matrix(text: str) -> list[list[bool]]:
    """Dark (True) and light modules, quiet zone included."""
    return make_qr(text).get_matrix()


def svg_path(modules: list[list[bool]]) -> str:
    """One SVG path drawing every run of dark modules in a row as a rectangle."""
    parts = []
    for y, row in enumerate(modules):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    return "".join(parts)


def render_svg(code: str, *, module_px: int = 8, **payload_options) -> RenderedFile:
    """The plate's QR code as SVG: white background, quiet zone, one path, crisp edges."""
    modules = matrix(payload(code, **payload_options))
    size = len(modules)
    content = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size * module_px}" height="{size * module_px}" shape-rendering="crispEdges" '
        f'role="img" aria-label="QR {code}">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{svg_path(modules)}"/></svg>'
    )
    return RenderedFile(f"plate-{code}.svg", "image/svg+xml", content.encode())


def render_png(code: str, *, module_px: int = 10, **payload_options) -> RenderedFile:
    """The plate's QR code as a black-and-white PNG, `module_px` pixels a module."""
    modules = matrix(payload(code, **payload_options))
    size = len(modules)
    image = Image.new("1", (size, size), 1)
    image.putdata([0 if dark else 1 for row in modules for dark in row])
    image = image.resize((size * module_px, size * module_px), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return RenderedFile(f"plate-{code}.png", "image/png", buffer.getvalue())
