"""The print-ready PDF: the trimmed plate at its exact size, 3 mm of bleed, crop marks and a slug
line that says what the plate is, with the typeface embedded and the QR as vector paths.

reportlab writes the PDF: it embeds TrueType subsets with a ToUnicode map (so the text stays
searchable and `pdffonts` reports every font embedded), sets the TrimBox and BleedBox print
shops' RIPs read, and takes CMYK colours. The page's initial font is set to the plate face so
that no unembedded Helvetica is referenced, not even by an empty text object.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from reportlab import rl_config
from reportlab.lib.colors import CMYKColor, Color
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from qrplates.artwork.errors import ArtworkError
from qrplates.artwork.fonts import Face
from qrplates.artwork.layout import PORTAL_NAME, QrSymbol, Rect, Scene, TextRun
from qrplates.artwork.templates import Colour, Template
from qrplates.artwork.text import group_code, number

# Outside the bleed: room for the crop marks and the slug line.
SLUG_MM = 14.0
MARK_OFFSET_MM = 1.0
MARK_LENGTH_MM = 6.0
# Registration colour: crop marks appear on every separation.
REGISTRATION = CMYKColor(1, 1, 1, 1)
SLUG_TEXT_PT = 6.0
SLUG_LEADING_PT = 7.5


# Streams are deflated and written as binary, as PDF writers do, not also as ASCII85 (a quarter
# larger, and reportlab encodes it in Python: a tenth of a plate's PDF time). Process-wide: the
# other PDFs the project writes (reports) are the same files in fewer bytes.
rl_config.useA85 = 0


@functools.cache
def register_fonts() -> None:
    for face in Face:
        pdfmetrics.registerFont(TTFont(face.postscript_name, str(face.path)))


def pdf_colour(colour: Colour) -> Color:
    if colour.cmyk is not None:
        return CMYKColor(*colour.cmyk)
    r, g, b = colour.rgb_tuple
    return Color(r / 255, g / 255, b / 255)


def new_canvas(buffer: io.BytesIO, width_mm: float, height_mm: float, title: str) -> Canvas:
    register_fonts()
    canvas = Canvas(
        buffer,
        pagesize=(width_mm * mm, height_mm * mm),
        invariant=True,
        initialFontName=Face.REGULAR.postscript_name,
        lang="vi",
    )
    canvas.setTitle(title)
    canvas.setAuthor(str(PORTAL_NAME))
    canvas.setCreator("Streetinfo")
    return canvas


def page_height_mm(canvas: Canvas) -> float:
    # reportlab's origin is the bottom-left corner; the layout's is the top-left.
    return canvas._pagesize[1] / mm


def draw_plate(canvas: Canvas, scene: Scene, x_mm: float, y_mm: float) -> None:
    """Draw the plate with its trimmed top-left corner at (x_mm, y_mm) from the page's top-left
    corner; the background extends over the bleed."""
    page_height = page_height_mm(canvas)

    def px(x: float) -> float:
        return (x_mm + x) * mm

    def py(y: float) -> float:
        return (page_height - y_mm - y) * mm

    bleed = scene.bleed_mm
    canvas.setFillColor(pdf_colour(scene.background))
    canvas.rect(
        px(-bleed),
        py(scene.height_mm + bleed),
        (scene.width_mm + 2 * bleed) * mm,
        (scene.height_mm + 2 * bleed) * mm,
        stroke=0,
        fill=1,
    )
    for item in scene.items:
        if isinstance(item, Rect):
            if item.fill:
                canvas.setFillColor(pdf_colour(item.fill))
            if item.stroke:
                canvas.setStrokeColor(pdf_colour(item.stroke))
                canvas.setLineWidth(item.stroke_mm * mm)
            canvas.roundRect(
                px(item.x),
                py(item.y + item.height),
                item.width * mm,
                item.height * mm,
                item.radius_mm * mm,
                stroke=int(item.stroke is not None),
                fill=int(item.fill is not None),
            )
        elif isinstance(item, QrSymbol):
            # One path of the dark runs, in module units (a module is 1 × 1, rows going down
            # from the symbol's top-left corner): whole numbers written as they are, where
            # reportlab would format four decimals a run in Python, the PDF's slowest part.
            m = item.module_mm * mm
            canvas.setFillColor(pdf_colour(item.fill))
            canvas.saveState()
            canvas.transform(m, 0, 0, -m, px(item.x), py(item.y))
            canvas.addLiteral(
                "\n".join(f"{column} {row} {length} 1 re" for row, column, length in item.runs())
                + "\nf"
            )
            canvas.restoreState()
        elif isinstance(item, TextRun):
            canvas.setFillColor(pdf_colour(item.fill))
            canvas.setFont(item.face.postscript_name, item.size_mm * mm)
            canvas.drawString(
                px(item.x), py(item.baseline), item.text, charSpace=item.tracking_mm * mm
            )


def draw_crop_marks(canvas: Canvas, scene: Scene, x_mm: float, y_mm: float) -> None:
    """Marks on the trim lines, starting just outside the bleed so a slightly off cut never
    shows them."""
    page_height = page_height_mm(canvas)
    start = scene.bleed_mm + MARK_OFFSET_MM
    end = start + MARK_LENGTH_MM
    canvas.setStrokeColor(REGISTRATION)
    canvas.setLineWidth(0.25)
    for x in (x_mm, x_mm + scene.width_mm):
        for y in (y_mm, y_mm + scene.height_mm):
            outward_x = -1 if x == x_mm else 1
            outward_y = -1 if y == y_mm else 1
            # Horizontal mark on the horizontal trim line, vertical on the vertical one.
            canvas.line(
                (x + outward_x * start) * mm,
                (page_height - y) * mm,
                (x + outward_x * end) * mm,
                (page_height - y) * mm,
            )
            canvas.line(
                x * mm,
                (page_height - y - outward_y * start) * mm,
                x * mm,
                (page_height - y - outward_y * end) * mm,
            )


def set_boxes(canvas: Canvas, scene: Scene, x_mm: float, y_mm: float) -> None:
    page_height = page_height_mm(canvas)
    left, right = x_mm * mm, (x_mm + scene.width_mm) * mm
    bottom, top = (page_height - y_mm - scene.height_mm) * mm, (page_height - y_mm) * mm
    bleed = scene.bleed_mm * mm
    canvas.setTrimBox((left, bottom, right, top))
    canvas.setBleedBox((left - bleed, bottom - bleed, right + bleed, top + bleed))


def render_pdf(scene: Scene) -> bytes:
    """One plate on one page: the trimmed plate, its bleed, crop marks around it and, below,
    the slug lines; TrimBox and BleedBox tell the print shop's software which is which."""
    offset = SLUG_MM + scene.bleed_mm
    lines = [scene.title, *scene.description]
    buffer = io.BytesIO()
    canvas = new_canvas(
        buffer,
        scene.width_mm + 2 * offset,
        scene.height_mm + 2 * offset + slug_height_mm(len(lines)),
        scene.title,
    )
    canvas.setSubject("\n".join(scene.description))
    set_boxes(canvas, scene, offset, offset)
    draw_plate(canvas, scene, offset, offset)
    draw_crop_marks(canvas, scene, offset, offset)
    draw_slug(canvas, lines, offset, offset + scene.height_mm + offset)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def slug_height_mm(count: int) -> float:
    return count * SLUG_LEADING_PT / mm


def draw_slug(canvas: Canvas, lines: list[str], x_mm: float, top_mm: float) -> None:
    """Small print outside the bleed and the crop marks: what the plate is and how it hangs."""
    page_height = page_height_mm(canvas)
    canvas.setFillColor(CMYKColor(0, 0, 0, 1))
    canvas.setFont(Face.REGULAR.postscript_name, SLUG_TEXT_PT)
    y = top_mm * mm
    for line in lines:
        y += SLUG_LEADING_PT
        canvas.drawString(x_mm * mm, page_height * mm - y, line)


@dataclass(frozen=True)
class Sheet:
    """A press sheet for imposition, in millimetres."""

    name: str
    width_mm: float
    height_mm: float
    margin_mm: float = 10.0
    # Between two plates' bleed edges: room for both plates' crop marks.
    gutter_mm: float = 2 * (MARK_OFFSET_MM + MARK_LENGTH_MM)


SHEETS = {
    sheet.name: sheet
    for sheet in (
        Sheet("A3", 297, 420),
        Sheet("SRA3", 320, 450),
        Sheet("A2", 420, 594),
        Sheet("A1", 594, 841),
        # A 4 × 8 ft aluminium composite panel, the usual bed of a flatbed UV printer.
        Sheet("ACM-1220x2440", 1220, 2440),
    )
}


@dataclass(frozen=True)
class Imposition:
    """Where plates go on a sheet: the page size and the trimmed top-left corner of each slot,
    row by row."""

    page: tuple[float, float]
    slots: tuple[tuple[float, float], ...]


def impose(scene: Scene, sheet: Sheet) -> Imposition:
    """As many plates (with their bleed and a gutter for the crop marks) as fit, with the sheet
    turned when that fits more; ArtworkError when not even one fits."""
    cell_w = scene.width_mm + 2 * scene.bleed_mm + sheet.gutter_mm
    cell_h = scene.height_mm + 2 * scene.bleed_mm + sheet.gutter_mm
    best: Imposition | None = None
    for page in ((sheet.width_mm, sheet.height_mm), (sheet.height_mm, sheet.width_mm)):
        # The bottom margin also holds the sheet's slug line.
        across = int((page[0] - 2 * sheet.margin_mm + sheet.gutter_mm) // cell_w)
        down = int((page[1] - 2 * sheet.margin_mm - SLUG_MM + sheet.gutter_mm) // cell_h)
        if across * down and (best is None or across * down > len(best.slots)):
            left = (page[0] - (across * cell_w - sheet.gutter_mm)) / 2 + scene.bleed_mm
            top = sheet.margin_mm + scene.bleed_mm
            slots = tuple(
                (left + column * cell_w, top + row * cell_h)
                for row in range(down)
                for column in range(across)
            )
            best = Imposition(page, slots)
    if best is None:
        raise ArtworkError(
            _("A %(width)s × %(height)s mm plate with its bleed does not fit on a %(sheet)s sheet.")
            % {
                "width": number(scene.width_mm),
                "height": number(scene.height_mm),
                "sheet": sheet.name,
            }
        )
    return best


class SheetWriter:
    """Imposes plates of one template onto press sheets as they come, each plate with its bleed
    and crop marks, each sheet with a slug naming its plates. `add` hands back a finished PDF
    whenever `per_file` plates are on it, so a province-wide batch never holds more than one
    file's pages in memory."""

    def __init__(self, sheet: Sheet, title: str, per_file: int | None = None) -> None:
        self.sheet = sheet
        self.title = title
        self.per_file = per_file
        self.template: Template | None = None
        self.imposition: Imposition | None = None
        self.canvas: Canvas | None = None
        self.buffer = io.BytesIO()
        self.in_file = 0
        self.on_sheet: list[str] = []
        self.sheet_number = 0

    def add(self, scene: Scene) -> bytes | None:
        if self.template is None:
            self.template = scene.template
            self.imposition = impose(scene, self.sheet)
        elif scene.template != self.template:
            raise ArtworkError(_("A sheet holds plates of one template only."))
        if self.canvas is None:
            self.buffer = io.BytesIO()
            self.canvas = new_canvas(self.buffer, *self.imposition.page, self.title)
        x, y = self.imposition.slots[len(self.on_sheet)]
        draw_plate(self.canvas, scene, x, y)
        draw_crop_marks(self.canvas, scene, x, y)
        self.on_sheet.append(group_code(scene.code, scene.template.code_group))
        self.in_file += 1
        if len(self.on_sheet) == len(self.imposition.slots):
            self._end_sheet()
        if self.per_file and self.in_file >= self.per_file:
            return self.close()
        return None

    def close(self) -> bytes | None:
        """The PDF of the sheets not yet handed back, or None when there are none."""
        if self.canvas is None:
            return None
        if self.on_sheet:
            self._end_sheet()
        self.canvas.save()
        self.canvas, self.in_file = None, 0
        return self.buffer.getvalue()

    def _end_sheet(self) -> None:
        self.sheet_number += 1
        draw_slug(
            self.canvas,
            [
                _("Sheet %(number)d: %(count)d plates: %(codes)s")
                % {
                    "number": self.sheet_number,
                    "count": len(self.on_sheet),
                    "codes": ", ".join(self.on_sheet),
                }
            ],
            self.sheet.margin_mm,
            self.imposition.page[1] - self.sheet.margin_mm - SLUG_MM / 2,
        )
        self.canvas.showPage()
        self.on_sheet = []


def render_sheets(scenes: Iterable[Scene], sheet: Sheet, title: str) -> bytes:
    """Plates of one template imposed on press sheets, all in one PDF."""
    writer = SheetWriter(sheet, title)
    for scene in scenes:
        writer.add(scene)
    content = writer.close()
    if content is None:
        raise ArtworkError(_("There are no plates to put on a sheet."))
    return content
