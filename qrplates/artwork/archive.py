"""A print run as files, and as a ZIP streamed while it is made.

`batch_files` lays out each plate once and writes the formats asked for from that one layout,
imposes the plates on press sheets as it goes (one sheet file per template, split every
`SHEET_FILE_PLATES` plates), and ends with `manifest.csv`. `stream_zip` packs those files into a
ZIP chunk by chunk with the standard library's `zipfile` writing to an unseekable sink (it then
writes each entry's sizes after its data), so a province-wide batch of thousands of plates
streams to the print shop with memory bounded by one plate's files and one open sheet file,
never the whole archive.

Pure like the renderer: the caller turns plate rows into `BatchItem`s.
"""

from __future__ import annotations

import collections
import csv
import io
import itertools
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial

from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from lib.text import spreadsheet_cell
from qrplates.artwork.errors import ArtworkError
from qrplates.artwork.layout import PlateData, Scene, layout_plate
from qrplates.artwork.pdf import Sheet, SheetWriter, render_pdf
from qrplates.artwork.png import render_png
from qrplates.artwork.svg import render_svg
from qrplates.artwork.templates import Template
from qrplates.artwork.text import span

# Plates per imposed sheet file: enough for a normal run in one file, small enough that a
# 3,000-plate batch never holds a huge PDF in memory.
SHEET_FILE_PLATES = 240
# Plates handed to a drawing process at a time: enough to keep the hand-over cheap, few enough
# that the progress moves and the processes finish together.
PLATES_PER_CHUNK = 8
CHUNKS_IN_FLIGHT = 16
MANIFEST_COLUMNS = (
    "code",
    "url",
    "name_vi",
    "name_en",
    "unit",
    "position",
    "kind",
    "template",
    "template_label",
    "width_mm",
    "height_mm",
    "bleed_mm",
    "qr_size_mm",
    "qr_version",
    "error_correction",
    "module_mm",
    "mounting_height_m",
    "reading_distance_m",
    "status",
    "files",
    "problem",
)


@dataclass(frozen=True)
class BatchItem:
    """One plate of a print run: what it says, the template it is printed on, its status (as the
    manifest shows it), why it is left out of the run (`withheld`: its record is no longer
    published; no files, no place on the sheets) and anything else the manifest's problem column
    should say of it (`problem`)."""

    plate: PlateData
    template: Template
    status: str | Promise = ""
    withheld: str = ""
    problem: str = ""


@dataclass(frozen=True)
class BatchFile:
    """A file of the run: `folder` ("pdf", "svg", "png", "sheets" or "" for the top level)."""

    folder: str
    name: str
    content: bytes

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.name}" if self.folder else self.name


def render_scene(scene: Scene, fmt: str, dpi: int) -> bytes:
    if fmt == "pdf":
        return render_pdf(scene)
    if fmt == "svg":
        return render_svg(scene)
    return render_png(scene, dpi)


def manifest_row(item: BatchItem, scene: Scene | None, files: list[str], problem: str) -> dict:
    plate, template = item.plate, item.template
    row = {
        "code": plate.code,
        "url": plate.payload,
        "name_vi": plate.name_vi,
        "name_en": plate.name_en,
        "unit": plate.unit_name,
        "position": plate.position,
        "kind": plate.kind,
        "template": template.name,
        "template_label": str(template.label),
        "width_mm": f"{template.width_mm:g}",
        "height_mm": f"{template.height_mm:g}",
        "bleed_mm": f"{template.bleed_mm:g}",
        "mounting_height_m": span(template.mounting_height_m),
        "reading_distance_m": span(template.reading_distance_m),
        "status": str(item.status),
        "files": " ".join(files),
        "problem": " ".join(filter(None, [problem, item.problem])),
    }
    if scene is not None:
        row |= {
            "qr_size_mm": f"{scene.qr.size_mm:g}",
            "qr_version": scene.qr.version,
            "error_correction": scene.qr.error_correction,
            "module_mm": f"{scene.qr.module_mm:.2f}",
        }
    return row


def manifest_csv(rows: list[dict]) -> bytes:
    """UTF-8 with a byte-order mark: spreadsheet programs then open the Vietnamese names with
    their diacritics instead of guessing a legacy code page. A name that a spreadsheet would
    run as a formula is written with a quote in front (lib.text.spreadsheet_cell)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=MANIFEST_COLUMNS, restval="")
    writer.writeheader()
    writer.writerows({key: spreadsheet_cell(value) for key, value in row.items()} for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


@dataclass(frozen=True)
class Drawn:
    """One plate drawn: its layout (None when it cannot be printed, `problem` says why) and its
    files. What a drawing process hands back to the one writing the archive."""

    scene: Scene | None
    files: list[BatchFile]
    problem: str = ""


def draw_plate(
    item: BatchItem,
    *,
    formats: tuple[str, ...],
    dpi: int,
    error_correction: str | None,
    language: str,
) -> Drawn:
    """Lays out one plate and writes each of its formats from that one layout. A module-level
    function of picklable arguments: a pool of processes can run it."""
    with translation.override(language):
        if item.withheld:
            return Drawn(
                None, [], _("Left out, not to be printed: %(reason)s") % {"reason": item.withheld}
            )
        try:
            scene = layout_plate(item.plate, item.template, error_correction)
        except ArtworkError as refusal:
            return Drawn(None, [], str(refusal))
        files = [
            BatchFile(fmt, f"{item.plate.code}.{fmt}", render_scene(scene, fmt, dpi))
            for fmt in formats
        ]
    return Drawn(scene, files)


def _draw_chunk(draw: Callable[[BatchItem], Drawn], chunk: tuple[BatchItem, ...]) -> list[Drawn]:
    return [draw(item) for item in chunk]


def drawn_by(
    pool: Executor, draw: Callable[[BatchItem], Drawn], items: Iterable[BatchItem]
) -> Iterator[Drawn]:
    """`draw` over `items` by the pool's processes, in order, with a few chunks in flight per
    process: memory stays bounded whatever the batch's size."""
    in_flight: collections.deque = collections.deque()
    for chunk in itertools.batched(items, PLATES_PER_CHUNK):
        in_flight.append(pool.submit(_draw_chunk, draw, chunk))
        if len(in_flight) >= CHUNKS_IN_FLIGHT:
            yield from in_flight.popleft().result()
    while in_flight:
        yield from in_flight.popleft().result()


def batch_files(
    items: Iterable[BatchItem],
    *,
    formats: Iterable[str] = ("pdf", "svg", "png"),
    dpi: int = 300,
    sheet: Sheet | None = None,
    title: str = "",
    error_correction: str | None = None,
    language: str = "vi",
    sheet_file_plates: int = SHEET_FILE_PLATES,
    pool: Executor | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[BatchFile]:
    """Every file of a print run, one plate at a time, then the sheets and the manifest.

    A plate that cannot be printed (a name too long for its template, say) does not stop the
    run: its manifest row says why, and the run's other plates are still written. With `pool`,
    the plates are drawn by its processes (in order, a few at a time), and this process imposes
    the sheets and writes the manifest; `progress(n)` hears how many plates are done."""
    formats = tuple(formats)
    items, listed = itertools.tee(items)
    draw = partial(
        draw_plate,
        formats=formats,
        dpi=dpi,
        error_correction=error_correction,
        language=language,
    )
    drawings = map(draw, listed) if pool is None else drawn_by(pool, draw, listed)
    rows: list[dict] = []
    writers: dict[str, SheetWriter] = {}
    sheet_files: dict[str, int] = {}

    def sheet_file(template: Template, content: bytes) -> BatchFile:
        sheet_files[template.name] = sheet_files.get(template.name, 0) + 1
        name = f"{template.name}-{sheet.name}-{sheet_files[template.name]:03d}.pdf"
        return BatchFile("sheets", name, content)

    for done, (item, drawn) in enumerate(zip(items, drawings, strict=True), 1):
        # The language is switched per step, never across a `yield`: the consumer of this
        # generator (a streaming response) runs in the caller's language between steps.
        with translation.override(language):
            finished = None
            if drawn.scene is not None and sheet is not None:
                writer = writers.setdefault(
                    item.template.name, SheetWriter(sheet, title, sheet_file_plates)
                )
                finished = writer.add(drawn.scene)
            paths = [f.path for f in drawn.files]
            rows.append(manifest_row(item, drawn.scene, paths, drawn.problem))
        yield from drawn.files
        if finished is not None:
            yield sheet_file(item.template, finished)
        if progress is not None:
            progress(done)
    with translation.override(language):
        leftovers = [(w.template, w.close()) for w in writers.values()]
    for template, content in leftovers:
        if content is not None:
            yield sheet_file(template, content)
    with translation.override(language):
        manifest = manifest_csv(rows)
    yield BatchFile("", "manifest.csv", manifest)


# Already compressed inside (PDF streams, PNG's deflate): storing them saves time for nothing.
STORED = {"pdf", "png"}


class _Sink(io.RawIOBase):
    """An unseekable file that keeps what is written until it is drained."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def stream_zip(files: Iterable[BatchFile], root: str) -> Iterator[bytes]:
    """The files as a ZIP under the folder `root`, yielded a file at a time."""
    sink = _Sink()
    stamp = timezone.localtime().timetuple()[:6]
    with zipfile.ZipFile(sink, mode="w") as archive:
        for file in files:
            info = zipfile.ZipInfo(f"{root}/{file.path}", date_time=stamp)
            extension = file.name.rsplit(".", 1)[-1]
            info.compress_type = zipfile.ZIP_STORED if extension in STORED else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, file.content)
            yield sink.drain()
    yield sink.drain()
