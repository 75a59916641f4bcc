"""Plate artwork for print shops: SVG, PDF and PNG from one pure function.

    render_plate(PlateData(code=…, payload=…, name_vi=…, …), fmt="pdf") -> Artwork

Plate data and a template (millimetres and colours, as plain data) go in; a file name, a MIME
type and the file's bytes come out. Nothing here touches the database: callers build `PlateData`
from a plate row, so the same function serves the admin, print batches, the command line and
the tests. Fonts come from the project's static files; text is NFC-normalised before it is drawn;
error correction is H (about 30% of the symbol recoverable) unless chosen otherwise, because a
plate outdoors collects dust, scratches and fading for years.
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils import translation
from django.utils.translation import gettext as _

from qrplates.artwork.errors import ArtworkError
from qrplates.artwork.layout import PlateData, layout_plate
from qrplates.artwork.pdf import SHEETS, Sheet, render_pdf, render_sheets
from qrplates.artwork.png import render_png
from qrplates.artwork.svg import render_svg
from qrplates.artwork.templates import (
    ERROR_CORRECTION_LEVELS,
    TEMPLATES,
    Template,
    get_template,
    template_for_kind,
)

__all__ = [
    "DEFAULT_DPI",
    "DPI_RANGE",
    "ERROR_CORRECTION_LEVELS",
    "FORMATS",
    "SHEETS",
    "TEMPLATES",
    "Artwork",
    "ArtworkError",
    "PlateData",
    "Sheet",
    "Template",
    "get_template",
    "layout_plate",
    "render_plate",
    "render_sheet",
    "template_for_kind",
]

FORMATS = {"pdf": "application/pdf", "svg": "image/svg+xml", "png": "image/png"}
DEFAULT_DPI = 300
# Below 72 dpi the text is unreadable; above 600 a large panel is hundreds of megapixels.
DPI_RANGE = (72, 600)


class Artwork(NamedTuple):
    filename: str
    mime: str
    content: bytes


def render_plate(
    plate: PlateData,
    *,
    fmt: str,
    template: Template | None = None,
    dpi: int = DEFAULT_DPI,
    error_correction: str | None = None,
    language: str = "vi",
) -> Artwork:
    """One plate's artwork in `fmt` ("pdf", "svg" or "png"), on `template` (by default the one
    for the plate's kind). `language` is the language of the file's notes for the print shop;
    the plate itself always carries both Vietnamese and English. Raises ArtworkError, with a
    message in `language`, when the plate cannot be printed as asked."""
    with translation.override(language):
        if fmt not in FORMATS:
            raise ArtworkError(
                _("Unknown format “%(format)s”: choose pdf, svg or png.") % {"format": fmt}
            )
        if fmt == "png" and not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
            raise ArtworkError(
                _("The resolution must be between %(min)d and %(max)d dpi.")
                % {"min": DPI_RANGE[0], "max": DPI_RANGE[1]}
            )
        scene = layout_plate(plate, template or template_for_kind(plate.kind), error_correction)
        if fmt == "pdf":
            content = render_pdf(scene)
        elif fmt == "svg":
            content = render_svg(scene)
        else:
            content = render_png(scene, dpi)
    return Artwork(f"{plate.code}.{fmt}", FORMATS[fmt], content)


def render_sheet(
    plates: list[PlateData],
    *,
    template: Template,
    sheet: Sheet,
    title: str,
    error_correction: str | None = None,
    language: str = "vi",
) -> bytes:
    """Plates of one template imposed on press sheets (a multi-page PDF)."""
    with translation.override(language):
        scenes = (layout_plate(plate, template, error_correction) for plate in plates)
        return render_sheets(scenes, sheet, title)
