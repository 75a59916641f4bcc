"""A print batch's ZIP in every format: built by the task on every core, against the same ZIP drawn
in one process as the download request used to stream it, both in the same run.

    .venv/bin/python bench/batch_build.py [--plates 120] [--dpi 300] [--processes 0] [--no-baseline]

Builds a throwaway SQLite database with the demo data and a batch of `--plates` approved plates
(each plate's PDF, SVG and PNG at `--dpi`, the imposed A1 sheets and the manifest), then:
- baseline ("in the request", as before the task existed): the files drawn one plate after
  another in this process and packed into the ZIP, the bytes discarded as a download would;
- task: `qrplates.batch_files.build_batch_file` as the worker runs it, drawing with
  `--processes` processes (0: one per core) into the batches storage (`--no-baseline`: this
  one only, for a full 3,000-plate run).
Prints seconds, plates per second, the speed-up, and the time extrapolated to 3,000 plates
(the cost is linear in plates) against the 6-minute target. The machine's load is printed too:
on a machine shared with other work both figures grow (and when the machine shares its cores
between sessions rather than processes, the task's second process gains little there): the CPU
seconds, printed last, say what two idle cores do.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import django_with_demo

TARGET_PLATES = 3000
TARGET_S = 6 * 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plates", type=int, default=120)
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--processes", type=int, default=0)
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="time the task only (a full 3,000-plate run without the one-process baseline)",
    )
    args = parser.parse_args()
    os.environ["BATCH_FILES_DIR"] = tempfile.mkdtemp(prefix="streetinfo-batches-")
    os.environ["BATCH_BUILD_PROCESSES"] = str(args.processes)
    django_with_demo()

    from django.conf import settings
    from django.utils import timezone

    from qrplates import artwork, batch_files, codes
    from qrplates.artwork.archive import batch_files as files_of
    from qrplates.artwork.archive import stream_zip
    from qrplates.batches import batch_items
    from qrplates.models import BatchFile, Plate, PrintBatch
    from sites.models import Place

    places = list(Place.objects.published())
    rows, taken = [], set()
    while len(rows) < args.plates:
        code = codes.new_code()
        if code not in taken:
            taken.add(code)
            place = places[len(rows) % len(places)]
            rows.append(Plate(code=code, place=place, status=Plate.Status.ARTWORK_APPROVED))
    Plate.objects.bulk_create(rows, batch_size=500)
    batch = PrintBatch.objects.create(
        name="Bench", status=PrintBatch.Status.SENT, sent_at=timezone.now(), png_dpi=args.dpi
    )
    batch.plates.add(*Plate.objects.filter(code__in=taken).values_list("pk", flat=True))

    baseline = baseline_cpu = None
    if not args.no_baseline:
        started, cpu = time.perf_counter(), time.process_time()
        files = files_of(
            batch_items(batch),
            dpi=batch.png_dpi,
            sheet=artwork.SHEETS[batch.sheet],
            title=batch.name,
            error_correction=batch.error_correction,
            language=settings.LANGUAGE_CODE,
        )
        for _chunk in stream_zip(files, root=batch.folder_name):
            pass
        baseline = time.perf_counter() - started
        baseline_cpu = time.process_time() - cpu

    started, cpu = time.perf_counter(), time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    batch_files.build_batch_file.call(batch.pk)
    task = time.perf_counter() - started
    task_cpu = time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    drawing_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    state = BatchFile.objects.get(batch=batch)
    assert state.status == BatchFile.Status.READY, state.error

    scale = TARGET_PLATES / args.plates
    processes = batch_files.drawing_processes()
    print(
        f"{args.plates} plates, PDF + SVG + PNG at {args.dpi} dpi, A1 sheets, manifest; "
        f"ZIP {state.size / 1e6:.1f} MB; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores"
    )
    rows = [(f"task: {processes} drawing processes", task)]
    if baseline is not None:
        rows.insert(0, ("baseline: one process, in the request", baseline))
    for label, seconds in rows:
        print(
            f"{label:<40} {seconds:7.1f} s  {args.plates / seconds:5.2f} plates/s  "
            f"{TARGET_PLATES} plates ≈ {seconds * scale / 60:5.1f} min"
        )
    speed_up = f"speed-up {baseline / task:.2f}× (wall clock); " if baseline is not None else ""
    print(
        f"{speed_up}target {TARGET_PLATES} plates ≤ "
        f"{TARGET_S / 60:.0f} min: {'met' if task * scale <= TARGET_S else 'not met'} "
        f"(extrapolated from {args.plates} plates)"
    )
    # CPU seconds do not depend on what else the machine runs: on an idle machine with a core
    # per drawing process, the build lasts as long as the busier of this process and the
    # drawing processes' share. Their start (Django set up once each) is paid once per build.
    startup = startup_cpu(batch_files) if processes > 1 else 0.0
    per_plate = max(task_cpu, (drawing_cpu - startup) / processes) / args.plates
    idle = startup / max(processes, 1) + per_plate * TARGET_PLATES
    one_process = (
        f", baseline ≈ {baseline_cpu * scale / 60:.1f} min" if baseline_cpu is not None else ""
    )
    print(
        f"CPU: task {task_cpu:.1f} s here + {drawing_cpu:.1f} s in the drawing processes "
        f"({startup:.1f} s of it their start) → on an idle machine {TARGET_PLATES} plates ≈ "
        f"{idle / 60:.1f} min{one_process}"
    )


def startup_cpu(batch_files) -> float:
    """CPU seconds the drawing processes spend starting (Django set up in each)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with batch_files.pool() as drawing:
        list(drawing.map(abs, range(batch_files.drawing_processes())))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


if __name__ == "__main__":
    main()
