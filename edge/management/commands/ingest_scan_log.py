"""`python manage.py ingest_scan_log FILE`: counts the scans nginx served from static mode's files
(they never reached Django), with the same rules as a scan Django answers: people's GETs only
(`is_person_scan`), and a client once per plate in each SCAN_COUNT_WINDOW_SECONDS, an address at
most SCAN_COUNT_PER_ADDRESS times (`first_in_window`). Addresses are read from the log and kept
nowhere."""

import datetime
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qrplates.models import Plate, PlateScanDay
from qrplates.scans import is_person_scan


class OncePerWindow:
    """`qrplates.scans.first_in_window` over a log, in memory: windows are aligned on the epoch
    as the cache's are."""

    def __init__(self) -> None:
        self.window = settings.SCAN_COUNT_WINDOW_SECONDS
        self.clients: set[tuple] = set()
        self.addresses: Counter[tuple] = Counter()

    def counts(self, when: datetime.datetime, code: str, address: str, user_agent: str) -> bool:
        window = int(when.timestamp() // self.window)
        client = (window, code, address, user_agent)
        if client in self.clients:
            return False
        self.clients.add(client)
        self.addresses[(window, code, address)] += 1
        return self.addresses[(window, code, address)] <= settings.SCAN_COUNT_PER_ADDRESS


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
        once = OncePerWindow()
        skipped = 0
        for line in lines:
            fields = line.split("\t")
            # Logs written before the address was logged have six fields: counted as they are.
            if len(fields) == 6:
                fields.append("")
            if len(fields) != 7:
                skipped += 1
                continue
            when_text, status, method, code, purpose, user_agent, address = fields
            if status != "200" or not code or not is_person_scan(method, [purpose], user_agent):
                continue
            try:
                when = datetime.datetime.fromisoformat(when_text)
            except ValueError:
                skipped += 1
                continue
            if address and not once.counts(when, code, address, user_agent):
                continue
            seen[(code, timezone.localdate(when))] += 1
        plates = dict(
            Plate.objects.filter(code__in={code for code, _day in seen}).values_list("code", "pk")
        )
        counts = {(plates[code], day): n for (code, day), n in seen.items() if code in plates}
        PlateScanDay.objects.record_many(counts)
        self.stdout.write(
            f"{sum(counts.values())} scans of {len({p for p, _d in counts})} plates counted; "
            f"{skipped} unreadable lines skipped."
        )
