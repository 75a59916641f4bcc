"""`python manage.py render_static --out DIR`: every published page and plate scan target, per
language, as files, plus the nginx configuration that serves scans from them (static mode)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand

from edge.static_mode import DEFAULT_SCAN_LOG, StaticSite


class Command(BaseCommand):
    help = (
        "Writes every published page and every plate's scan target, in every language, as "
        "files, with the nginx configuration that serves scans from them. Set STATIC_MODE_DIR "
        "to the same folder so that publishing refreshes the affected files."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path, help="folder to write into")
        parser.add_argument(
            "--scan-log",
            default=DEFAULT_SCAN_LOG,
            help="where nginx logs the scans it serves (read by ingest_scan_log)",
        )

    def handle(self, *args, out: Path, scan_log: str, **options):
        started = time.perf_counter()
        report = StaticSite(out).render_all(scan_log)
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.written} files ({report.bytes / 1e6:.1f} MB before compression) "
                f"written to {out} in {time.perf_counter() - started:.1f} s; "
                f"{report.removed} removed. Include {out / 'nginx-http.conf'} in http {{}} and "
                f"{out / 'nginx-server.conf'} in the portal's server {{}}."
            )
        )
