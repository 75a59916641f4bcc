"""Photos sent from phones by visitors and installers: checked by Pillow before they are kept,
so a renamed file, a truncated upload or a decompression bomb is refused with a clear message."""

from __future__ import annotations

import warnings

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image

MAX_PHOTO_BYTES = 10 * 1024 * 1024
# 40 megapixels: more than any phone camera; a bigger image is a bomb, not a photo.
MAX_PHOTO_PIXELS = 40_000_000
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO: the JPEG some phones write


def validate_photo(photo: UploadedFile) -> None:
    """Raises ValidationError (in the active language) unless `photo` is a JPEG, PNG or WebP
    image of at most MAX_PHOTO_BYTES and MAX_PHOTO_PIXELS that decodes completely."""
    if photo.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo is %(size)s MB; the limit is %(limit)s MB. Send a smaller copy.")
            % {"size": round(photo.size / 1024 / 1024, 1), "limit": MAX_PHOTO_BYTES >> 20}
        )
    try:
        photo.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(photo) as image:
                width, height = image.size
                if width * height > MAX_PHOTO_PIXELS:
                    raise ValidationError(
                        _("The photo is too large (%(width)s × %(height)s pixels).")
                        % {"width": width, "height": height}
                    )
                if image.format not in PHOTO_FORMATS:
                    raise ValidationError(_("Send a photo in JPEG, PNG or WebP format."))
                image.verify()
    except ValidationError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning) as error:
        raise ValidationError(_("This file is not a photo that can be opened.")) from error
    finally:
        photo.seek(0)
