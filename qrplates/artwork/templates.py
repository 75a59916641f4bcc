"""Plate templates: sizes in millimetres, colours and mounting, as plain frozen data.

A template is a physical product: the print shop cuts it to `width_mm` × `height_mm`, the
installer fixes it at `mounting_height_m`, and the visitor scans it from `reading_distance_m`.
Everything else (the QR width, its module size, where the text goes) follows from those numbers
in `qrplates.artwork.qr` and `qrplates.artwork.layout`. Variants are made with
`dataclasses.replace(STREET, width_mm=…, colours=…)`; a template that could not scan (a QR
printed on the plate's colour, an inverted QR, too little contrast) is refused when it is made.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qrplates.artwork.errors import ArtworkError


@dataclass(frozen=True)
class Colour:
    """A colour for screen (`rgb`, "#RRGGBB") and, for the PDF, the print shop's ink recipe
    (`cmyk`, each 0–1). Without a recipe the PDF uses the RGB value."""

    rgb: str
    cmyk: tuple[float, float, float, float] | None = None

    def __post_init__(self) -> None:
        text = self.rgb
        if (
            len(text) != 7
            or text[0] != "#"
            or any(c not in "0123456789abcdefABCDEF" for c in text[1:])
        ):
            raise ArtworkError(
                _("“%(value)s” is not a colour: write it as #RRGGBB.") % {"value": text}
            )
        if self.cmyk is not None and (
            len(self.cmyk) != 4 or any(not 0 <= part <= 1 for part in self.cmyk)
        ):
            raise ArtworkError(_("A CMYK recipe needs four values between 0 and 1."))

    @property
    def rgb_tuple(self) -> tuple[int, int, int]:
        return int(self.rgb[1:3], 16), int(self.rgb[3:5], 16), int(self.rgb[5:7], 16)

    @property
    def luminance(self) -> float:
        """Relative luminance (WCAG 2), 0 for black to 1 for white."""

        def channel(value: int) -> float:
            c = value / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(v) for v in self.rgb_tuple)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: Colour, b: Colour) -> float:
    light, dark = sorted((a.luminance, b.luminance), reverse=True)
    return (light + 0.05) / (dark + 0.05)


WHITE = Colour("#FFFFFF", (0, 0, 0, 0))
# The QR's modules in pure black ink (K only): rich black would blur at the module edges
# whenever the printer's plates are slightly out of register.
QR_BLACK = Colour("#000000", (0, 0, 0, 1))
# The blue of Vietnamese street nameplates (road-sign blue, QCVN 41) and the brown of tourist
# and heritage signs. The CMYK recipes are the plain conversion of the RGB values: a starting
# point that the print shop matches to its own inks and substrate.
SIGN_BLUE = Colour("#0B4EA2", (0.93, 0.52, 0, 0.36))
HERITAGE_BROWN = Colour("#6B3A1E", (0, 0.46, 0.72, 0.58))
PALE_BLUE = Colour("#CFE0F5", (0.16, 0.09, 0, 0.04))
PALE_CREAM = Colour("#F3E3C3", (0, 0.07, 0.2, 0.05))

# Minimum contrast between the QR's modules and its panel. Phone decoders binarise the image;
# faded ink on a grey panel below this ratio stops scanning long before a person notices.
MIN_QR_CONTRAST = 7.0


@dataclass(frozen=True)
class Palette:
    background: Colour
    text: Colour
    secondary_text: Colour
    border: Colour
    panel: Colour = WHITE
    qr: Colour = QR_BLACK
    code_text: Colour = QR_BLACK


class Arrangement(enum.StrEnum):
    """How the parts sit on the plate: the QR panel beside the text (wide plates) or between
    the heading and the call to action (tall panels)."""

    SIDE = "side"
    STACKED = "stacked"


@dataclass(frozen=True)
class TextSizes:
    """Font sizes (em height) in millimetres: the starting sizes; a long name is wrapped onto
    `name_lines` lines and then shrunk, but never below `min_scale` of these sizes."""

    heading: float
    name_vi: float
    name_en: float
    unit: float
    call_to_action: float
    code: float
    portal: float
    name_lines: int = 2
    min_scale: float = 0.6


@dataclass(frozen=True)
class Template:
    """One plate product. `reading_distance_m` and `mounting_height_m` are (nearest, farthest)
    ranges; the QR is sized for the farthest reading distance unless `qr_size_mm` says more."""

    name: str
    label: str | Promise
    width_mm: float
    height_mm: float
    mounting_height_m: tuple[float, float]
    reading_distance_m: tuple[float, float]
    arrangement: Arrangement
    palette: Palette
    text: TextSizes
    qr_size_mm: float | None = None
    error_correction: str = "H"
    # Below about 1 mm a module's edges blur on UV-printed or screen-printed metal and fill in
    # with dust; the generator refuses smaller modules rather than print a plate that fails.
    min_module_mm: float = 1.0
    quiet_zone_modules: int = 4
    margin_mm: float = 10.0
    border_inset_mm: float = 4.0
    border_width_mm: float = 1.5
    corner_radius_mm: float = 6.0
    bleed_mm: float = 3.0
    uppercase_name: bool = False
    code_group: int = 4
    kinds: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        palette = self.palette
        if palette.qr.luminance >= palette.panel.luminance:
            raise ArtworkError(
                _(
                    "The QR code must be dark on a light panel: inverted codes (light on dark) "
                    "fail in many phone scanners."
                )
            )
        if contrast_ratio(palette.qr, palette.panel) < MIN_QR_CONTRAST:
            raise ArtworkError(
                _(
                    "The QR colours are too close (contrast %(ratio).1f:1, at least %(min)d:1 "
                    "needed): faded outdoors they would stop scanning."
                )
                % {"ratio": contrast_ratio(palette.qr, palette.panel), "min": MIN_QR_CONTRAST}
            )
        if self.error_correction not in ERROR_CORRECTION_LEVELS:
            raise ArtworkError(
                _("Error correction must be one of L, M, Q or H, not “%(value)s”.")
                % {"value": self.error_correction}
            )
        if self.quiet_zone_modules < 4:
            raise ArtworkError(
                _("The QR code needs a white quiet zone of at least 4 modules on every side.")
            )
        if min(self.width_mm, self.height_mm) <= 2 * self.margin_mm:
            raise ArtworkError(_("The plate is smaller than its margins."))

    @property
    def qr_min_for_distance_mm(self) -> float:
        """The rule printed in the admin: a QR is read from at most ten times its width."""
        return self.reading_distance_m[1] * 1000 / 10


ERROR_CORRECTION_LEVELS = {
    "L": _("L (about 7%)"),
    "M": _("M (about 15%)"),
    "Q": _("Q (about 25%)"),
    "H": _("H (about 30%, for outdoor wear)"),
}

STREET = Template(
    name="street",
    label=_("Small plate under a street nameplate"),
    width_mm=320,
    height_mm=170,
    # On the nameplate's pole at eye level; a QR on the nameplate itself (2.5–3 m up) would
    # need to be 25–45 cm wide.
    mounting_height_m=(1.2, 1.6),
    reading_distance_m=(0.5, 1.0),
    arrangement=Arrangement.SIDE,
    palette=Palette(background=SIGN_BLUE, text=WHITE, secondary_text=PALE_BLUE, border=WHITE),
    text=TextSizes(
        heading=0,
        name_vi=15,
        name_en=8.5,
        unit=6.5,
        call_to_action=6.5,
        code=9,
        portal=5.5,
    ),
    qr_size_mm=100,
    uppercase_name=True,
    kinds=("street",),
)

HERITAGE = Template(
    name="heritage",
    label=_("Panel at a relic or scenic spot"),
    width_mm=297,
    height_mm=420,
    # A free-standing panel or a wall by the entrance, read by visitors standing back from
    # it: the QR's width (180 mm) follows from the 1.8 m reading distance.
    mounting_height_m=(1.2, 1.5),
    reading_distance_m=(0.5, 1.8),
    arrangement=Arrangement.STACKED,
    palette=Palette(
        background=HERITAGE_BROWN, text=WHITE, secondary_text=PALE_CREAM, border=PALE_CREAM
    ),
    text=TextSizes(
        heading=7,
        name_vi=18,
        name_en=10,
        unit=7,
        call_to_action=8,
        code=11,
        portal=6.5,
        name_lines=3,
    ),
    kinds=("relic", "scenic", "person"),
)

TEMPLATES: dict[str, Template] = {template.name: template for template in (STREET, HERITAGE)}


def template_for_kind(kind: str) -> Template:
    """The template a record of this kind gets unless staff choose another."""
    for template in TEMPLATES.values():
        if kind in template.kinds:
            return template
    return HERITAGE


def get_template(name: str) -> Template:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise ArtworkError(
            _("There is no plate template “%(name)s”. Choose one of: %(choices)s.")
            % {"name": name, "choices": ", ".join(TEMPLATES)}
        ) from None
