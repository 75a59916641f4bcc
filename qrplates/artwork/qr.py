"""The QR symbol and its printed size.

The size follows from how far away the plate is read: a phone reads a QR from at most about ten
times its width, so the template's farthest reading distance sets the smallest width. The module
size then follows from the QR version (how many modules the payload needs at the chosen error
correction), and a module too small to print cleanly on an outdoor plate is refused with the
numbers that explain it, never silently shrunk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import qrcode
import qrcode.constants
import qrcode.exceptions
from django.utils.translation import gettext as _

from qrplates.artwork.errors import ArtworkError
from qrplates.artwork.templates import Template
from qrplates.artwork.text import number
from qrplates.rendering import segments

LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


@dataclass(frozen=True)
class QrPlan:
    """One plate's symbol: its modules and how large they print. `size_mm` is the symbol
    without its quiet zone; the white panel adds `quiet_zone_mm` on every side."""

    payload: str
    error_correction: str
    version: int
    matrix: tuple[tuple[bool, ...], ...]
    size_mm: float
    quiet_zone_modules: int

    @property
    def modules(self) -> int:
        return len(self.matrix)

    @property
    def module_mm(self) -> float:
        return self.size_mm / self.modules

    @property
    def quiet_zone_mm(self) -> float:
        return self.quiet_zone_modules * self.module_mm

    @property
    def panel_mm(self) -> float:
        return self.size_mm + 2 * self.quiet_zone_mm


def qr_matrix(payload: str, error_correction: str) -> tuple[int, tuple[tuple[bool, ...], ...]]:
    """The smallest QR version that holds `payload`, and its modules (True = dark). An
    all-upper-case URL is encoded alphanumerically (5.5 bits a character instead of 8)."""
    if error_correction not in LEVELS:
        raise ArtworkError(
            _("Error correction must be one of L, M, Q or H, not “%(value)s”.")
            % {"value": error_correction}
        )
    if not payload:
        raise ArtworkError(_("The plate has no address to encode."))
    code = qrcode.QRCode(error_correction=LEVELS[error_correction], border=0, box_size=1)
    # The same segments as the plate's own QR (qrplates.rendering): byte mode for a lower-case
    # head and alphanumeric for the upper-case "/Q/CODE" tail, one version smaller than a
    # generic split in the "hybrid" letter case.
    for segment in segments(payload):
        code.add_data(segment)
    try:
        code.make(fit=True)
    except (qrcode.exceptions.DataOverflowError, ValueError):
        raise ArtworkError(
            _("The address “%(payload)s” is too long for a QR code.") % {"payload": payload}
        ) from None
    return code.version, tuple(tuple(row) for row in code.get_matrix())


def qr_plan(payload: str, template: Template, error_correction: str | None = None) -> QrPlan:
    """Size the QR for `template`, or raise ArtworkError saying which rule the size breaks."""
    level = error_correction or template.error_correction
    version, matrix = qr_matrix(payload, level)
    modules = len(matrix)
    minimum = template.qr_min_for_distance_mm
    # Without a fixed width: the distance rule, but never modules below the printable minimum.
    size = template.qr_size_mm or math.ceil(max(minimum, modules * template.min_module_mm))
    distance = template.reading_distance_m[1]
    if size < minimum:
        raise ArtworkError(
            _(
                "A QR code read from up to %(distance)s m must be at least %(minimum)d mm wide "
                "(a tenth of the reading distance); this template prints it %(size)d mm wide. "
                "Print it larger or shorten the reading distance."
            )
            % {"distance": number(distance), "minimum": math.ceil(minimum), "size": size}
        )
    if size / modules < template.min_module_mm:
        raise ArtworkError(
            _(
                "At %(size)d mm wide, each of the %(modules)d×%(modules)d modules of this code "
                "(QR version %(version)d, error correction %(level)s) would be %(module)s mm, "
                "below the printable minimum of %(min)s mm: dust and fading would fill it in. "
                "Print the QR larger, lower the error correction or shorten the address."
            )
            % {
                "size": size,
                "modules": modules,
                "version": version,
                "level": level,
                "module": number(size / modules, 2),
                "min": number(template.min_module_mm, 2),
            }
        )
    return QrPlan(
        payload=payload,
        error_correction=level,
        version=version,
        matrix=matrix,
        size_mm=float(size),
        quiet_zone_modules=template.quiet_zone_modules,
    )
