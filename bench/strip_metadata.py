"""Stripping a phone photo's metadata (lib.uploads.strip_metadata) on large photos, beside the
version this bench replaced (lib/uploads.py at the commit below, which walked the JPEG's bytes in
Python), measured in the same run on the same files.

    .venv/bin/python bench/strip_metadata.py [megapixels, default 16] [rounds, default 3]

The photos are noise-textured (so that they compress as badly as a real photo: about 9-10 MB as a
JPEG at 16 megapixels, quality 92) with a phone's EXIF (GPS, camera, time, orientation), XMP and
a comment. Prints the median seconds per photo and the ratio.
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "streetinfo.settings")

import django  # noqa: E402

django.setup()

from PIL import ExifTags, Image  # noqa: E402

from lib.uploads import strip_metadata  # noqa: E402

# The last commit with the byte-walking version (issue 17 measured it at 0.99 s for 8.8 MB).
BASELINE_COMMIT = "e336326"


def baseline_module() -> types.ModuleType:
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{BASELINE_COMMIT}:lib/uploads.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    module = types.ModuleType("uploads_before")
    exec(compile(source, "uploads_before.py", "exec"), module.__dict__)
    return module


def phone_photo(fmt: str, megapixels: int) -> bytes:
    width = int((megapixels * 1e6 * 4 / 3) ** 0.5)
    height = width * 3 // 4
    noise = Image.effect_noise((width, height), 64).convert("RGB")
    picture = Image.blend(
        Image.linear_gradient("L").resize((width, height)).convert("RGB"), noise, 0.5
    )
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.DateTime] = "2025:03:08 07:15:00"
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (21.0, 51.0, 6.0)
    buffer = io.BytesIO()
    options = {"quality": 92} if fmt != "PNG" else {"compress_level": 1}
    picture.save(buffer, fmt, exif=exif, xmp=b"<x:xmpmeta>GPSLatitude</x:xmpmeta>", **options)
    return buffer.getvalue()


def median_seconds(function, data: bytes, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function(data)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(megapixels: int, rounds: int) -> None:
    before = baseline_module()
    print(f"strip_metadata, {megapixels} MP photos, median of {rounds}")
    for fmt in ("JPEG", "PNG", "WEBP"):
        data = phone_photo(fmt, megapixels)
        now = median_seconds(strip_metadata, data, rounds)
        then = median_seconds(before.strip_metadata, data, rounds)
        target = "   (target ≥ 20)" if fmt == "JPEG" else ""
        print(
            f"  {fmt:5} {len(data) / 1e6:5.1f} MB   before {then:6.3f} s   now {now:6.3f} s   "
            f"{then / now:6.1f} × faster{target}",
            flush=True,
        )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 16,
        int(sys.argv[2]) if len(sys.argv) > 2 else 3,
    )
