"""Plates per second for each artwork format, beside bare QR generation measured in the same run.

    .venv/bin/python bench/artwork_speed.py [--plates 1000] [--dpi 300]

The plates are made from the demo content (names with their diacritics, streets on the street
template, relics and scenic spots on the heritage panel), each with its own random code and
payload. The baseline is the `qrcode` library alone building the same payloads' symbols at
error correction H: the floor any plate generator pays. Each format is rendered from scratch
(layout included), as one download would. No database is needed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "streetinfo.settings")

import django  # noqa: E402

django.setup()

import qrcode  # noqa: E402

from qrplates.artwork import PlateData, render_plate  # noqa: E402

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BASE = "HTTPS://QR.LANGSON.GOV.VN/Q/"


def demo_plates(count: int) -> list[PlateData]:
    content = json.loads((ROOT / "sites" / "data" / "demo_content.json").read_text())
    records = [
        (entry["name_vi"], entry.get("name_en", ""), entry.get("kind", "street"))
        for section in ("streets", "sites")
        for entry in content[section].values()
    ]
    rng = random.Random(5)
    plates = []
    for index in range(count):
        name_vi, name_en, kind = records[index % len(records)]
        code = "".join(rng.choice(ALPHABET) for _ in range(7))
        plates.append(PlateData(code, BASE + code, name_vi, name_en, "Phường Tam Thanh", kind))
    return plates


def baseline(plates: list[PlateData]) -> None:
    for plate in plates:
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_H, border=4)
        code.add_data(plate.payload)
        code.make(fit=True)


def timed(label: str, work, plates: list[PlateData]) -> float:
    start = time.perf_counter()
    work(plates)
    seconds = time.perf_counter() - start
    print(f"{label:<28} {len(plates) / seconds:9.1f} plates/s  ({seconds:7.2f} s)", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plates", type=int, default=1000)
    parser.add_argument("--dpi", type=int, default=300)
    args = parser.parse_args()
    plates = demo_plates(args.plates)
    print(f"{args.plates} plates, PNG at {args.dpi} dpi\n")
    base = timed("baseline: bare qrcode (H)", baseline, plates)
    for fmt in ("pdf", "svg", "png"):
        seconds = timed(
            f"{fmt.upper()} artwork",
            lambda ps, fmt=fmt: [render_plate(p, fmt=fmt, dpi=args.dpi) for p in ps],
            plates,
        )
        print(f"{'':<28} {seconds / base:9.1f} × the baseline's time per plate")


if __name__ == "__main__":
    main()
