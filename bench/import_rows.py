"""A spreadsheet import of many rows: its preview and its confirmation, as the task runs them,
against the target (5,000 rows each in at most 60 s) and a baseline from the same run.

    .venv/bin/python bench/import_rows.py [--rows 5000] [--profile preview|confirm]

On a throwaway SQLite database with the demo data (or DATABASE_URL), as a reviewer:
- baseline: the same new streets saved one by one through the one write path
  (`sites.services.record_save`), without the spreadsheet machinery;
- preview: `workflow.imports.records_import(dry_run=True)` of a CSV of `--rows` new streets;
- confirmation: the same with dry_run=False (all rows saved, in one transaction);
- with --workbook, the file is a workbook of people, streets named after them and links between
  them (`workflow.imports.workbook_import`, sheets naming each other's rows);
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


def workbook_bytes(rows: int, prefix: str) -> bytes:
    """A workbook of `rows` rows: people (a fifth), streets named after them (three fifths) and
    links from each person to a street (a fifth), naming each other by external ID."""
    import openpyxl

    people = rows // 5
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Nhân vật"
    sheet.append(["external_id", "name_vi", "role_vi"])
    for n in range(people):
        sheet.append([f"{prefix}:p:{n:05d}", f"Nhân Vật Thử {prefix} {n}", "Nhân vật để đo."])
    sheet = book.create_sheet("Đường phố")
    sheet.append(["external_id", "name_vi", "summary_vi", "unit", "named_after"])
    streets = rows - 2 * people
    for n in range(streets):
        namesake = f"{prefix}:p:{n % people:05d}" if people else ""
        sheet.append(
            [f"{prefix}:s:{n:05d}", f"Phố Thử {prefix} {n}", "Một phố để đo.", "05986", namesake]
        )
    sheet = book.create_sheet("Liên kết")
    sheet.append(["person", "place", "role", "year_from"])
    for n in range(people):
        sheet.append([f"{prefix}:p:{n:05d}", f"{prefix}:s:{n:05d}", "lived_worked", "1950"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=TARGET_ROWS)
    parser.add_argument("--profile", choices=["preview", "confirm"])
    parser.add_argument(
        "--workbook",
        action="store_true",
        help="import a workbook of people, streets named after them and links instead",
    )
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

    if args.workbook:
        sheets = imports.read_sheets(workbook_bytes(args.rows, "bench"), "bench.xlsx", Street)
    else:
        dataset = imports.read_dataset(csv_bytes(args.rows, "bench"), "bench.csv")
        sheets = [imports.Sheet("", Street, dataset)]

    def run(dry_run: bool) -> float:
        step = "preview" if dry_run else "confirm"
        profiler = cProfile.Profile() if args.profile == step else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        report = imports.workbook_import(sheets=sheets, user=user, dry_run=dry_run)
        if profiler:
            profiler.disable()
            order = os.environ.get("BENCH_SORT", "cumulative")
            pstats.Stats(profiler).sort_stats(order).print_stats(40)
        assert report.ok, [r.errors for r in report.error_rows[:3]] or report.file_errors
        return time.perf_counter() - started

    preview = run(True)
    confirm = run(False)
    assert Street.objects.filter(external_id__startswith="bench:").count() == sum(
        len(sheet.dataset) for sheet in sheets if sheet.model is Street
    )
    again = run(True)

    scale = TARGET_ROWS / args.rows
    what = "people, streets and links, XLSX" if args.workbook else "new streets, CSV"
    print(f"{args.rows} rows ({what}), as a reviewer; target {TARGET_ROWS} rows ≤ {TARGET_S} s")
    print(f"baseline: record_save per row   {1000 * base_row:6.1f} ms/row")
    runs = (("preview", preview), ("confirmation", confirm), ("again (unchanged)", again))
    for label, seconds in runs:
        print(
            f"{label:<18} {1000 * seconds / args.rows:6.1f} ms/row  "
            f"{seconds * scale:6.1f} s for {TARGET_ROWS}  "
            f"({seconds / args.rows / base_row:4.2f}× the baseline)"
        )
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"load average (1, 5, 15 min) at the end: {load}")


if __name__ == "__main__":
    main()
