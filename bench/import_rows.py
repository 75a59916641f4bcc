"""A spreadsheet import of many rows: its preview and its confirmation, as the task runs them,
against the target (5,000 rows each in at most 60 s) and a baseline from the same run.

    .venv/bin/python bench/import_rows.py [--rows 5000] [--profile preview|confirm]

On a throwaway SQLite database with the demo data (or DATABASE_URL), as a reviewer:
- baseline: the same new streets saved one by one through the one write path
  (`sites.services.record_save`), without the spreadsheet machinery;
- preview: `workflow.imports.records_import(dry_run=True)` of a CSV of `--rows` new streets;
- confirmation: the same with dry_run=False (all rows saved, in one transaction);
- again: the same file previewed once more, every row now unchanged.
With fewer rows than 5,000 the figure for 5,000 is extrapolated (the cost is linear in rows).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import django_with_demo

TARGET_S = 60
TARGET_ROWS = 5000


def csv_bytes(rows: int, prefix: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["external_id", "name_vi", "name_en", "summary_vi", "lat", "lon", "unit"])
    for n in range(rows):
        writer.writerow(
            [
                f"{prefix}:{n:05d}",
                f"Phố Thử Nghiệm {prefix} {n}",
                f"Test Street {prefix} {n}",
                "Một phố để đo thời gian nhập.",
                f"{21.83 + (n % 100) * 0.0004:.6f}",
                f"{106.74 + (n // 100) * 0.0004:.6f}",
                "05986",
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=TARGET_ROWS)
    parser.add_argument("--profile", choices=["preview", "confirm"])
    args = parser.parse_args()
    django_with_demo()

    from django.contrib.auth.models import Group, User

    from sites.models import AdminUnit, Street
    from sites.services import record_save
    from workflow import imports

    user = User.objects.create_user("bench-reviewer", is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewer"))
    unit = AdminUnit.objects.get(code="05986")

    started = time.perf_counter()
    for n in range(min(args.rows, 500)):
        record_save(
            record=Street(
                name_vi=f"Phố Gốc {n}",
                name_en=f"Base Street {n}",
                summary_vi="Một phố để đo thời gian nhập.",
                unit=unit,
                external_id=f"base:{n:05d}",
            ),
            by=user,
        )
    base_row = (time.perf_counter() - started) / min(args.rows, 500)

    content = csv_bytes(args.rows, "bench")
    dataset = imports.read_dataset(content, "bench.csv")

    def run(dry_run: bool) -> float:
        step = "preview" if dry_run else "confirm"
        profiler = cProfile.Profile() if args.profile == step else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        report = imports.records_import(model=Street, dataset=dataset, user=user, dry_run=dry_run)
        if profiler:
            profiler.disable()
            order = os.environ.get("BENCH_SORT", "cumulative")
            pstats.Stats(profiler).sort_stats(order).print_stats(40)
        assert report.ok, [r.errors for r in report.error_rows[:3]] or report.file_errors
        return time.perf_counter() - started

    preview = run(True)
    confirm = run(False)
    assert Street.objects.filter(external_id__startswith="bench:").count() == args.rows
    again = run(True)

    scale = TARGET_ROWS / args.rows
    print(
        f"{args.rows} rows (new streets, CSV), as a reviewer; "
        f"target {TARGET_ROWS} rows ≤ {TARGET_S} s"
    )
    print(f"baseline: record_save per row   {1000 * base_row:6.1f} ms/row")
    runs = (("preview", preview), ("confirmation", confirm), ("again (unchanged)", again))
    for label, seconds in runs:
        print(
            f"{label:<18} {1000 * seconds / args.rows:6.1f} ms/row  "
            f"{seconds * scale:6.1f} s for {TARGET_ROWS}  "
            f"({seconds / args.rows / base_row:4.1f}× the baseline)"
        )


if __name__ == "__main__":
    main()
