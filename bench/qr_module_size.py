"""How big each module of a plate's QR code is, for each letter case of the payload.

A plate prints its QR code at a fixed width; the fewer modules the symbol has, the bigger each
one is and the farther away a phone reads it. Prints version, modules a side (quiet zone
included) and module size on a 100 mm code, with the ratio against the lower-case payload.

    .venv/bin/python bench/qr_module_size.py [PUBLIC_BASE_URL]
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "streetinfo.settings")

import django

django.setup()

from qrplates import codes, rendering  # noqa: E402

WIDTH_MM = 100


def main(base_url: str) -> None:
    code = codes.new_code()
    sizes = {}
    for case in ("lower", "hybrid", "upper"):
        text = rendering.payload(code, base_url=base_url, case=case)
        modules = len(rendering.matrix(text))
        sizes[case] = WIDTH_MM / modules
        print(
            f"{case:6}  {text:45}  version {rendering.qr_version(text)}  "
            f"{modules} modules  {sizes[case]:.2f} mm a module  "
            f"ratio {sizes[case] / sizes['lower']:.2f}"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "https://qr.langson.gov.vn")
