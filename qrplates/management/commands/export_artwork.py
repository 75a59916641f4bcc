"""python manage.py export_artwork [CODE ...] [--batch ID] --format svg|pdf|png [--template NAME]
[--dpi N] --out DIR

Writes the chosen plates' artwork into DIR, one file per plate named after its code
(`7KQ4M2X.pdf`), plus `manifest.csv`: for scripted print runs. Without codes or a batch, every
plate still in service (not retired, not replaced) whose record is published is exported. Every
plate is laid out before anything is written, so a refused plate (an unknown code, a plate whose
record is withdrawn or not yet published, a name too long for its template) stops the run with
nothing half-written. A batch is written as its ZIP is: a plate whose record was withdrawn after
it went in is left out, and the manifest's problem column says why.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from lib.files import write_atomically
from qrplates import artwork, batches, codes
from qrplates.artwork.archive import BatchItem, batch_files
from qrplates.models import Plate, PrintBatch


class Command(BaseCommand):
    help = "Write plate artwork (one file per plate, named after its code) and manifest.csv."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("codes", nargs="*", metavar="CODE", help="plate codes (any case)")
        parser.add_argument("--batch", type=int, metavar="ID", help="a print batch's plates")
        parser.add_argument("--format", required=True, choices=sorted(artwork.FORMATS))
        parser.add_argument(
            "--template",
            metavar="NAME",
            help=f"one of {', '.join(artwork.TEMPLATES)} (default: by the record's kind)",
        )
        parser.add_argument(
            "--dpi", type=int, default=artwork.DEFAULT_DPI, help="PNG resolution (default 300)"
        )
        parser.add_argument("--out", required=True, type=Path, metavar="DIR")

    def handle(self, *args, **options) -> None:
        with translation.override("vi"):
            self.export(options)

    def export(self, options: dict) -> None:
        plates = self.chosen_plates(options["codes"], options["batch"])
        template = None
        try:
            if options["template"]:
                template = artwork.get_template(options["template"])
            if options["format"] == "png" and not (
                artwork.DPI_RANGE[0] <= options["dpi"] <= artwork.DPI_RANGE[1]
            ):
                raise artwork.ArtworkError(
                    f"--dpi must be between {artwork.DPI_RANGE[0]} and {artwork.DPI_RANGE[1]}."
                )
        except artwork.ArtworkError as refusal:
            raise CommandError(str(refusal)) from None
        items = []
        refused = []
        for plate in plates:
            data = batches.plate_data(plate)
            chosen = template or batches.plate_template(data.kind)
            # The one rule of what may go to print (qrplates.batches.record_refusal).
            withheld = batches.record_refusal(plate)
            if withheld and options["batch"] is None:
                refused.append(f"  {withheld}")
                continue
            if not withheld:
                try:
                    artwork.layout_plate(data, chosen)
                except artwork.ArtworkError as refusal:
                    refused.append(f"  {plate.code}: {refusal}")
            problem = batches.position_problem(plate, plate.unplaced_siblings)
            items.append(BatchItem(data, chosen, plate.get_status_display(), withheld, problem))
        if refused:
            raise CommandError(
                "Nothing written; these plates cannot go to print:\n" + "\n".join(refused)
            )
        for item in items:
            if item.withheld or item.problem:
                self.stderr.write(f"manifest.csv flags {item.withheld or item.problem}")
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        written = 0
        for file in batch_files(items, formats=[options["format"]], dpi=options["dpi"]):
            write_atomically(out / file.name, file.content)
            written += 1
        self.stdout.write(
            f"{written - 1} {options['format'].upper()} files and manifest.csv written to {out}"
        )

    def chosen_plates(self, typed: list[str], batch_id: int | None) -> list[Plate]:
        wanted, wrong = [], []
        for raw in typed:
            try:
                wanted.append(codes.normalize(raw))
            except codes.CodeError:
                wrong.append(raw)
        if wrong:
            raise CommandError(f"Not plate codes: {', '.join(wrong)}")
        found = batches.with_unplaced_siblings(
            Plate.objects.select_related(
                "place__unit", "place__merged_into", "person", "person__merged_into"
            )
        )
        if batch_id is not None:
            batch = PrintBatch.objects.filter(pk=batch_id).first()
            if batch is None:
                raise CommandError(f"There is no print batch {batch_id}.")
            chosen = {plate.code: plate for plate in batches.batch_plates(batch)}
        elif not wanted:
            in_service = found.filter(status__in=batches.PRINTABLE)
            chosen = {p.code: p for p in in_service if not batches.record_refusal(p)}
            skipped = in_service.count() - len(chosen)
            if skipped:
                self.stdout.write(
                    f"{skipped} plates in service left out: their records are not published."
                )
        else:
            chosen = {}
        if wanted:
            by_code = {plate.code: plate for plate in found.filter(code__in=wanted)}
            unknown = [code for code in wanted if code not in by_code]
            if unknown:
                raise CommandError(f"No plate has the code {', '.join(unknown)}.")
            chosen |= by_code
        if not chosen:
            raise CommandError("No plates to export.")
        return [chosen[code] for code in sorted(chosen)]
