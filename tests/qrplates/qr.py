"""Reading QR codes back with an independent decoder (zxing-cpp), from PNG and from SVG."""

import io

import resvg_py
import zxingcpp
from PIL import Image


def decode_image(image: Image.Image) -> zxingcpp.Barcode:
    # Flatten onto white: a transparent background must not read as black.
    flat = Image.new("RGB", image.size, "white")
    flat.paste(image, mask=image.getchannel("A") if image.mode == "RGBA" else None)
    found = zxingcpp.read_barcodes(flat, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1, f"expected one QR code, found {len(found)}"
    return found[0]


def decode_png(content: bytes) -> zxingcpp.Barcode:
    image = Image.open(io.BytesIO(content))
    assert image.format == "PNG"
    return decode_image(image)


def decode_svg(content: bytes) -> zxingcpp.Barcode:
    """Rasterises the SVG document itself (resvg) and decodes the picture."""
    png = resvg_py.svg_to_bytes(svg_string=content.decode(), width=400, height=400)
    return decode_image(Image.open(io.BytesIO(bytes(png))))
