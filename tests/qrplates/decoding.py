"""Reading artwork back the way a phone or a print shop would: rasterise, then decode with an
independent decoder (zxing-cpp), never with the library that drew the code."""

from __future__ import annotations

import io

import pypdfium2
import resvg_py
import zxingcpp
from PIL import Image


def raster(content: bytes, mime: str, dpi: int = 100) -> list[Image.Image]:
    """The artwork as pictures: a PNG as it is, an SVG through resvg, each PDF page through
    PDFium."""
    if mime == "image/png":
        return [Image.open(io.BytesIO(content)).convert("RGB")]
    if mime == "image/svg+xml":
        png = resvg_py.svg_to_bytes(svg_string=content.decode(), dpi=dpi)
        return [Image.open(io.BytesIO(bytes(png))).convert("RGB")]
    if mime == "application/pdf":
        document = pypdfium2.PdfDocument(content)
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in document]
    raise ValueError(mime)


def decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def decode_artwork(content: bytes, mime: str, dpi: int = 100) -> list[str]:
    return [text for image in raster(content, mime, dpi) for text in decode(image)]


def pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    return "\n".join(page.get_textpage().get_text_range() for page in document)
