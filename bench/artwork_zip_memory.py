"""Peak memory of a print batch's ZIP download, beside bare QR generation in the same run.

    .venv/bin/python bench/artwork_zip_memory.py [--plates 3000] [--dpi 300]

Builds a throw-away SQLite database with the demo data and a print batch of `--plates` plates
(approved, sent to a print shop), then measures, each in a fresh process so that each peak is
its own:
- baseline: the `qrcode` library building the same plates' QR symbols one after another;
- download: the print shop's account fetching the batch through the admin's download URL (which
  builds the ZIP into storage here, TASKS_IMMEDIATE, then serves the file) and reading it to the
  end (every plate's PDF, SVG and PNG, the imposed sheets and
  the manifest), discarding the bytes as a client writing to disk would.
Peak memory is the process's peak resident set size. The ZIP's own size is printed beside it:
a download that held the archive would need at least that much.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    # The download builds the batch's ZIP in this process (no worker), then serves the file.
    os.environ["TASKS_IMMEDIATE"] = "1"
    os.environ["BATCH_FILES_DIR"] = str(database.parent / "batches")
    # The test client's host name.
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "streetinfo.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(database: Path, plates: int, dpi: int) -> None:
    setup_django(database)
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.utils import timezone

    from qrplates import codes
    from qrplates.models import PRINTER_GROUP, Plate, PrintBatch
    from sites.demo import load_demo
    from sites.models import Place

    call_command("migrate", verbosity=0)
    load_demo()
    places = list(Place.objects.published())
    taken: set[str] = set()
    rows = []
    while len(rows) < plates:
        code = codes.new_code()
        if code not in taken:
            taken.add(code)
            place = places[len(rows) % len(places)]
            rows.append(Plate(code=code, place=place, status=Plate.Status.ARTWORK_APPROVED))
    Plate.objects.bulk_create(rows, batch_size=500)
    printer = User.objects.create_user("printer", password="x", is_staff=True)
    printer.groups.add(Group.objects.get(name=PRINTER_GROUP))
    batch = PrintBatch.objects.create(
        name="Bench",
        printer=printer,
        status=PrintBatch.Status.SENT,
        sent_at=timezone.now(),
        png_dpi=dpi,
    )
    batch.plates.add(*Plate.objects.values_list("pk", flat=True))


def measure(database: Path, what: str) -> None:
    """Runs in a child process; prints "<peak KiB> <bytes> <seconds>"."""
    setup_django(database)
    start = time.perf_counter()
    size = 0
    if what == "baseline":
        import qrcode

        from qrplates import rendering
        from qrplates.models import Plate

        for code in Plate.objects.values_list("code", flat=True).iterator():
            qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_H, border=4)
            qr.add_data(rendering.payload(code))
            qr.make(fit=True)
            size += len(qr.get_matrix())
    else:
        from django.contrib.auth.models import User
        from django.test import Client
        from django.urls import reverse

        from qrplates.models import PrintBatch

        client = Client()
        client.force_login(User.objects.get(username="printer"))
        batch = PrintBatch.objects.get()
        response = client.get(reverse("admin:qrplates_printbatch_download", args=[batch.pk]))
        assert response.status_code == 200 and response.streaming, response.status_code
        for chunk in response.streaming_content:
            size += len(chunk)
    seconds = time.perf_counter() - start
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, size, f"{seconds:.1f}")


def child(database: Path, what: str) -> tuple[int, int, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--measure", what, "--database", str(database)],
        capture_output=True,
        text=True,
    )
    if output.returncode:
        raise SystemExit(output.stderr)
    output = output.stdout.split()
    return int(output[0]), int(output[1]), float(output[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plates", type=int, default=3000)
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--measure", choices=["baseline", "download"])
    parser.add_argument("--database", type=Path)
    args = parser.parse_args()
    if args.measure:
        measure(args.database, args.measure)
        return
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        build(database, args.plates, args.dpi)
        print(f"{args.plates} plates in one batch; per plate PDF, SVG and PNG at {args.dpi} dpi\n")
        base_kib, _count, base_s = child(database, "baseline")
        print(
            f"baseline: bare qrcode, same payloads  peak {base_kib / 1024:7.1f} MiB  ({base_s} s)"
        )
        zip_kib, zip_bytes, zip_s = child(database, "download")
        print(
            f"ZIP download (built, then served)      peak {zip_kib / 1024:7.1f} MiB  ({zip_s} s), "
            f"ZIP {zip_bytes / 1024 / 1024:.0f} MiB"
        )
        print(
            f"\n{zip_kib / base_kib:.2f} × the baseline's peak memory; "
            f"peak is {zip_kib * 1024 / zip_bytes:.1%} of the archive's size"
        )


if __name__ == "__main__":
    main()
