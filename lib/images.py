"""Photo renditions: each uploaded photo is resized once, when it is saved, into a few widths as
WebP (small, read by every current phone browser) and JPEG (the fallback, and what Zalo and
Facebook fetch for a share preview).

Pages then pick a width with `srcset` and know each picture's size without opening a file, so a
phone on a weak signal downloads the smallest image that fills its screen and the text does not
jump when the image arrives. What was made is recorded on the photo (`Photo.renditions`); a photo
whose renditions could not be made falls back to its original file.
"""

from __future__ import annotations

import hashlib
import io
import logging
import posixpath
import warnings
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

# A phone screen (320-480 CSS px at 1x-2x), a tablet or a 2x phone, and the share preview.
# The smallest is what "save this area for offline" stores; the largest JPEG is the share image.
WIDTHS = (320, 640, 1024)
WEBP_QUALITY = 72
JPEG_QUALITY = 78
FOLDER = "renditions"


@dataclass(frozen=True)
class Picture:
    """What a template needs to draw one photo: `<picture>` sources and the fallback `<img>`."""

    src: str
    webp_srcset: str
    jpeg_srcset: str
    width: int | None
    height: int | None
    small_url: str
    share_url: str


def folder_for(name: str) -> str:
    """Renditions live in a folder named after the source file: a new upload gets new URLs, so
    the old ones can be cached forever."""
    digest = hashlib.sha1(name.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]
    return posixpath.join(FOLDER, digest)


def rendition_name(folder: str, width: int, fmt: str) -> str:
    return posixpath.join(folder, f"{width}.{fmt}")


def widths_for(width: int) -> list[int]:
    """The rendition widths of a picture `width` pixels wide: never wider than the original."""
    return sorted({min(w, width) for w in WIDTHS}) if width else []


def make_renditions(source: io.IOBase | ContentFile, name: str) -> dict:
    """Resize the image in `source` into WIDTHS (never upscaled) as WebP and JPEG, written to the
    default storage under a folder named after `name`. Returns the record to keep on the photo:
    {"source": name, "folder": …, "width": …, "height": …, "widths": […]}, or {"source": name,
    "error": …} when the file is not a readable image. Files already made are not made again.

    EXIF orientation is applied (phone photos are often stored sideways) and all metadata is
    dropped (a photo's EXIF can carry the GPS position of the photographer's home)."""
    folder = folder_for(name)
    try:
        with warnings.catch_warnings():
            # A huge image raises DecompressionBombError past twice Pillow's limit; under it,
            # the warning is only noise here (we downscale at once).
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(source) as opened:
                image = ImageOps.exif_transpose(opened)
                image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        logger.warning("No renditions for %s: %s", name, exc)
        return {"source": name, "error": str(exc)[:200]}
    if image.mode not in ("RGB", "L"):
        # Flatten transparency onto white: JPEG has no alpha, and a photo rarely needs it.
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode == "L":
        image = image.convert("RGB")
    width, height = image.size
    widths = widths_for(width)
    for target in widths:
        resized = image
        if target < width:
            resized = image.resize(
                (target, max(1, round(height * target / width))), Image.Resampling.LANCZOS
            )
        for fmt, options in (
            ("webp", {"format": "WEBP", "quality": WEBP_QUALITY, "method": 4}),
            (
                "jpg",
                {"format": "JPEG", "quality": JPEG_QUALITY, "optimize": True, "progressive": True},
            ),
        ):
            path = rendition_name(folder, target, fmt)
            if default_storage.exists(path):
                continue
            buffer = io.BytesIO()
            resized.save(buffer, **options)
            default_storage.save(path, ContentFile(buffer.getvalue()))
    return {"source": name, "folder": folder, "width": width, "height": height, "widths": widths}


def delete_renditions(record: dict) -> None:
    """Remove the files listed in a renditions record (after the photo was replaced or deleted)."""
    folder = record.get("folder")
    for width in record.get("widths", []):
        for fmt in ("webp", "jpg"):
            path = rendition_name(folder, width, fmt)
            if default_storage.exists(path):
                default_storage.delete(path)


def picture(record: dict, original_url: str) -> Picture:
    """The template view of a renditions record; the original file when there are none."""
    widths = record.get("widths") or []
    if not widths or record.get("source") is None:
        return Picture(original_url, "", "", None, None, original_url, original_url)
    folder = record["folder"]

    def url(width: int, fmt: str) -> str:
        return default_storage.url(rendition_name(folder, width, fmt))

    def srcset(fmt: str) -> str:
        return ", ".join(f"{url(w, fmt)} {w}w" for w in widths)

    largest = widths[-1]
    # The <img> width/height give the aspect ratio (CSS scales the picture to the column).
    height = round(record["height"] * largest / record["width"])
    middle = widths[min(1, len(widths) - 1)]
    return Picture(
        src=url(middle, "jpg"),
        webp_srcset=srcset("webp"),
        jpeg_srcset=srcset("jpg"),
        width=largest,
        height=height,
        small_url=url(widths[0], "webp"),
        share_url=url(largest, "jpg"),
    )
