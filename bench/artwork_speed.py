"""Plates per second for each artwork format, beside bare QR generation measured in the same run.

    .venv/bin/python bench/artwork_speed.py [--plates 37] [--dpi 300] [--rounds 5]

The plates are made from the demo content (names with their diacritics, streets on the street
template, relics and scenic spots on the heritage panel), each with its own random code and
payload. The baseline is the `qrcode` library alone building the same payloads' symbols at
error correction H: the floor any plate generator pays. Each format is rendered from scratch
(layout included), as one download would. No database is needed.

The baseline and the formats take turns, `--rounds` times, and each keeps its best round: on a
machine shared with other work, a burst of load then spoils one round, not the ratio. The PNG
reuses the letters of text it has drawn before (the call to action, the portal: the same on
every plate), and the demo has 37 names, which repeat from the 38th plate on; a real batch's
names mostly do not, so that memory is emptied before each PNG round and `--plates` defaults to
37, every name drawn afresh.
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

from qrplates.artwork import PlateData, png, render_plate  # noqa: E402

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BASE = "HTTPS://QR.LANGSON.GOV.VN/Q/"
# Issue 17: plates per second as a share of bare QR generation's.
TARGETS = {"pdf": 0.33, "png": 0.05}


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


def forget_letters() -> None:
    # (Absent from the artwork code before it kept letters: this script also times that.)
    if hasattr(png, "forget_letters"):
        png.forget_letters()


def timed(work, plates: list[PlateData]) -> float:
    start = time.perf_counter()
    work(plates)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plates", type=int, default=37)
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    plates = demo_plates(args.plates)
    print(
        f"{args.plates} plates, PNG at {args.dpi} dpi, best of {args.rounds} rounds; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n"
    )
    formats = ("pdf", "svg", "png")
    best = dict.fromkeys(("baseline", *formats), float("inf"))
    render_plate(plates[0], fmt="pdf")  # fonts loaded and registered once, as in a worker
    for _round in range(args.rounds):
        best["baseline"] = min(best["baseline"], timed(baseline, plates))
        for fmt in formats:
            forget_letters()
            seconds = timed(
                lambda ps, fmt=fmt: [render_plate(p, fmt=fmt, dpi=args.dpi) for p in ps], plates
            )
            best[fmt] = min(best[fmt], seconds)
    base = best["baseline"]
    print(f"{'baseline: bare qrcode (H)':<28} {args.plates / base:9.1f} plates/s")
    for fmt in formats:
        ratio = base / best[fmt]
        target = TARGETS.get(fmt)
        verdict = (
            f"; target ≥ {target:.2f}: {'met' if ratio >= target else 'NOT met'}" if target else ""
        )
        print(
            f"{fmt.upper() + ' artwork':<28} {args.plates / best[fmt]:9.1f} plates/s  "
            f"{ratio:6.3f} of the baseline{verdict}"
        )
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
