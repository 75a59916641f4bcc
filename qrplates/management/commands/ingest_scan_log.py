"""`python manage.py ingest_scan_log FILE`: counts the scans nginx served from static mode's files
(they never reached Django), with the same rule as a scan Django answers (`is_person_scan`)."""

import datetime
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qrplates.models import Plate, PlateScanDay
from qrplates.scans import is_person_scan


class Command(BaseCommand):
    help = (
        "Adds the scans logged by static mode's nginx (log format streetinfo_scans) to the counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("log", type=Path, help="the log file; rotate it before ingesting")

    def handle(self, *args, log: Path, **options):
        try:
            lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as error:
            raise CommandError(f"Cannot read {log}: {error.strerror}") from error
        seen: Counter[tuple[str, datetime.date]] = Counter()
        skipped = 0
        for line in lines:
            fields = line.split("\t")
            if len(fields) != 6:
                skipped += 1
                continue
            when, status, method, code, purpose, user_agent = fields
            if status != "200" or not code or not is_person_scan(method, [purpose], user_agent):
                continue
            try:
                day = timezone.localdate(datetime.datetime.fromisoformat(when))
            except ValueError:
                skipped += 1
                continue
            seen[(code, day)] += 1
        plates = dict(
            Plate.objects.filter(code__in={code for code, _day in seen}).values_list("code", "pk")
        )
        counts = {(plates[code], day): n for (code, day), n in seen.items() if code in plates}
        PlateScanDay.objects.record_many(counts)
        self.stdout.write(
            f"{sum(counts.values())} scans of {len({p for p, _d in counts})} plates counted; "
            f"{skipped} unreadable lines skipped."
        )
