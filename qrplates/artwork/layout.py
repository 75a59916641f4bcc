"""Where everything goes on a plate: pure geometry in millimetres, from the y-down top-left
corner of the trimmed plate.

`layout_plate` turns one plate's data and a template into a `Scene`: a flat list of rectangles,
text runs and the QR symbol, with every position already decided. The SVG, PDF and PNG writers
only draw a scene, so the three formats cannot disagree about what is on the plate, and a
refusal (a name too long to fit, a QR panel larger than the plate) happens once, here, before
anything is drawn.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override, pgettext_lazy

from lib.text import nfc
from qrplates.artwork.errors import ArtworkError
from qrplates.artwork.fonts import Face, Ink, metrics, missing_characters
from qrplates.artwork.qr import QrPlan, qr_plan
from qrplates.artwork.templates import Arrangement, Colour, Template
from qrplates.artwork.text import group_code, number, span

# Printed in Vietnamese and in English on every plate: each is looked up once per language.
CALL_TO_ACTION = gettext_lazy("Scan for history and information")
PORTAL_NAME = gettext_lazy("Streetinfo Lạng Sơn")
KIND_HEADINGS = {
    "street": pgettext_lazy("plate heading", "Street"),
    "relic": pgettext_lazy("plate heading", "Historic relic"),
    "scenic": pgettext_lazy("plate heading", "Scenic spot"),
    "person": pgettext_lazy("plate heading", "Historical figure"),
}
# Line spacing as a multiple of the font size, and the least clear space between the ink of
# two lines (stacked capitals like "Ẫ" reach well above the cap height).
LEADING = 1.18
INK_GAP = 0.12
SHRINK_STEP = 0.025


@dataclass(frozen=True)
class PlateData:
    """What a plate says, independent of the database: built by the caller from a Plate row."""

    code: str
    payload: str
    name_vi: str
    name_en: str = ""
    unit_name: str = ""
    kind: str = "street"
    # Where the plate hangs ("first end of the street", "main gate"): not printed on the plate,
    # but in its slug line and metadata, so that two plates of one record are told apart.
    position: str = ""

    def __post_init__(self) -> None:
        # NFC once, on the way in: every later measurement and glyph lookup sees the
        # precomposed letters the font draws with correctly stacked marks.
        for name in ("code", "name_vi", "name_en", "unit_name", "position"):
            object.__setattr__(self, name, " ".join(nfc(getattr(self, name)).split()))
        if not self.name_vi:
            raise ArtworkError(_("The plate's record has no Vietnamese name to print."))


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: Colour | None = None
    stroke: Colour | None = None
    stroke_mm: float = 0.0
    radius_mm: float = 0.0


@dataclass(frozen=True)
class TextRun:
    """One line (or one segment of a line) of text, left end at `x`, sitting on `baseline`."""

    x: float
    baseline: float
    text: str
    face: Face
    size_mm: float
    fill: Colour
    tracking_mm: float = 0.0


@dataclass(frozen=True)
class QrSymbol:
    """The QR's modules, top-left corner at (x, y); the quiet zone is the panel around it."""

    x: float
    y: float
    module_mm: float
    matrix: tuple[tuple[bool, ...], ...]
    fill: Colour

    def runs(self) -> Iterator[tuple[int, int, int]]:
        """(row, first column, length) of each horizontal run of dark modules: drawing runs
        instead of single modules keeps files small and leaves no seams between modules."""
        for row, cells in enumerate(self.matrix):
            column = 0
            for dark, group in itertools.groupby(cells):
                length = len(list(group))
                if dark:
                    yield row, column, length
                column += length


Item = Rect | TextRun | QrSymbol


@dataclass(frozen=True)
class Scene:
    """A laid-out plate: `items` in drawing order over a `background` that also fills the
    bleed. `title` and `description` travel with the file (PDF slug and metadata, SVG <desc>,
    PNG text chunks) so a print shop can check what the plate is meant to be."""

    width_mm: float
    height_mm: float
    bleed_mm: float
    background: Colour
    items: tuple[Item, ...]
    qr: QrPlan
    template: Template
    code: str
    title: str
    description: tuple[str, ...]


@dataclass(frozen=True)
class Segment:
    text: str
    face: Face
    colour: Colour


@dataclass(frozen=True)
class Style:
    face: Face
    size_mm: float
    colour: Colour
    max_lines: int = 1
    tracking_em: float = 0.0
    space_before_em: float = 0.0
    # Whether the variable-length content (names) may shrink further to fit the plate's height.
    elastic: bool = False


@dataclass(frozen=True)
class Line:
    segments: tuple[Segment, ...]
    width: float
    ink: Ink


@dataclass
class Paragraph:
    """Set text: its lines at one size, ready to be placed at a top edge."""

    style: Style
    size_mm: float
    lines: list[Line] = field(default_factory=list)

    @property
    def tracking_mm(self) -> float:
        return self.style.tracking_em * self.size_mm

    @property
    def space_before(self) -> float:
        return self.style.space_before_em * self.size_mm

    def baselines(self, top: float) -> list[float]:
        baselines, previous = [], None
        for line in self.lines:
            if previous is None:
                baseline = top + line.ink.above
            else:
                baseline = baselines[-1] + max(
                    self.size_mm * LEADING,
                    previous.ink.below + line.ink.above + self.size_mm * INK_GAP,
                )
            baselines.append(baseline)
            previous = line
        return baselines

    @property
    def height(self) -> float:
        if not self.lines:
            return 0.0
        return self.baselines(0.0)[-1] + self.lines[-1].ink.below

    def runs(self, top: float, left: float, width: float, *, centred: bool) -> list[TextRun]:
        runs = []
        for line, baseline in zip(self.lines, self.baselines(top), strict=True):
            x = left + (width - line.width) / 2 if centred else left
            for segment in line.segments:
                runs.append(
                    TextRun(
                        x=x,
                        baseline=baseline,
                        text=segment.text,
                        face=segment.face,
                        size_mm=self.size_mm,
                        fill=segment.colour,
                        tracking_mm=self.tracking_mm,
                    )
                )
                x += metrics(segment.face).width(segment.text, self.size_mm, self.tracking_mm)
                x += metrics(segment.face).width(" ", self.size_mm)
        return runs


def measure(segments: tuple[Segment, ...], size: float, tracking: float) -> Line:
    """One line made of segments (a single segment, or a bold name followed by a regular
    address), separated by a space."""
    width = above = below = 0.0
    for index, segment in enumerate(segments):
        ink = metrics(segment.face).ink(segment.text, size, tracking)
        width += ink.width + (metrics(segment.face).width(" ", size) if index else 0)
        above, below = max(above, ink.above), max(below, ink.below)
    return Line(segments, width, Ink(width, above, below))


def wrap(text: str, style: Style, size: float, width: float) -> list[Line] | None:
    """The fewest lines (at most `style.max_lines`) that fit `width`, breaking between words
    where the longest line is shortest ("ĐƯỜNG HOÀNG / VĂN THỤ", not "ĐƯỜNG HOÀNG VĂN / THỤ");
    None when the text does not fit.

    Word widths are summed, not re-measured, and the balanced breaks come from a small dynamic
    programme (lines × words²), so even a hostile 200-character name is decided at once."""
    words = text.split()
    if not words:
        return []
    font = metrics(style.face)
    tracking = style.tracking_em * size
    advances = [0.0]  # prefix sums of word widths, without tracking
    letters = [0]  # prefix sums of word lengths
    for word in words:
        advances.append(advances[-1] + font.width(word, size))
        letters.append(letters[-1] + len(word))
    space = font.width(" ", size)

    def span_width(a: int, b: int) -> float:
        gaps = b - a - 1
        chars = letters[b] - letters[a] + gaps
        return advances[b] - advances[a] + gaps * space + tracking * max(chars - 1, 0)

    n = len(words)
    # widest[k][i]: the narrowest possible widest line setting the first i words on k lines.
    infinity = float("inf")
    widest = [[infinity] * (n + 1) for _ in range(style.max_lines + 1)]
    cut = [[0] * (n + 1) for _ in range(style.max_lines + 1)]
    widest[0][0] = 0.0
    for k in range(1, style.max_lines + 1):
        for i in range(1, n + 1):
            for j in range(k - 1, i):
                candidate = max(widest[k - 1][j], span_width(j, i))
                if candidate < widest[k][i]:
                    widest[k][i], cut[k][i] = candidate, j
        if widest[k][n] <= width:
            bounds, i = [n], n
            for level in range(k, 0, -1):
                i = cut[level][i]
                bounds.append(i)
            bounds.reverse()
            return [
                measure((Segment(" ".join(words[a:b]), style.face, style.colour),), size, tracking)
                for a, b in itertools.pairwise(bounds)
            ]
    return None


def set_text(
    content: str | tuple[Segment, ...], style: Style, width: float, scale: float, floor: float
) -> Paragraph:
    """Set `content` at the largest size between `scale` and `floor` (times the style's size)
    where it fits `width`; raise ArtworkError when even the smallest size does not."""
    current = scale
    while current >= floor - 1e-9:
        size = style.size_mm * current
        if isinstance(content, str):
            lines = wrap(content, style, size, width)
        else:
            single = measure(content, size, style.tracking_em * size)
            lines = [single] if single.width <= width else None
        if lines is not None:
            return Paragraph(style, size, lines)
        current -= SHRINK_STEP
    text = content if isinstance(content, str) else " ".join(s.text for s in content)
    raise ArtworkError(
        _(
            "“%(text)s” is too long for this plate even at the smallest legible size: "
            "shorten it or choose a larger template."
        )
        % {"text": text}
    )


def stack(paragraphs: list[Paragraph]) -> float:
    """Height of paragraphs placed one under another."""
    present = [p for p in paragraphs if p.lines]
    return sum(p.height for p in present) + sum(p.space_before for p in present[1:])


def place(
    paragraphs: list[Paragraph], top: float, left: float, width: float, *, centred: bool
) -> list[TextRun]:
    runs, y, first = [], top, True
    for paragraph in paragraphs:
        if not paragraph.lines:
            continue
        if not first:
            y += paragraph.space_before
        runs += paragraph.runs(y, left, width, centred=centred)
        y += paragraph.height
        first = False
    return runs


@dataclass(frozen=True)
class Content:
    """The plate's texts in both languages, NFC, checked against the font."""

    heading: str
    name_vi: str
    name_en: str
    unit: str
    cta_vi: str
    cta_en: str
    portal: str
    host: str
    code: str
    record_name: str


def plate_content(plate: PlateData, template: Template) -> Content:
    heading = KIND_HEADINGS.get(plate.kind, KIND_HEADINGS["relic"])
    with override("vi"):
        cta_vi, heading_vi, portal = str(CALL_TO_ACTION), str(heading), str(PORTAL_NAME)
    with override("en"):
        cta_en, heading_en = str(CALL_TO_ACTION), str(heading)
    name_vi = plate.name_vi.upper() if template.uppercase_name else plate.name_vi
    content = Content(
        heading=nfc(f"{heading_vi} · {heading_en}".upper()),
        name_vi=name_vi,
        name_en=plate.name_en,
        unit=plate.unit_name,
        cta_vi=nfc(cta_vi),
        cta_en=nfc(cta_en),
        portal=nfc(portal),
        host=(urlsplit(plate.payload).hostname or "").lower(),
        code=group_code(plate.code, template.code_group),
        record_name=plate.name_vi,
    )
    for text in (content.name_vi, content.name_en, content.unit):
        missing = missing_characters(text)
        if missing:
            raise ArtworkError(
                _("“%(text)s” contains characters the plate font cannot draw: %(chars)s")
                % {"text": text, "chars": " ".join(sorted(missing))}
            )
    return content


def layout_plate(
    plate: PlateData, template: Template, error_correction: str | None = None
) -> Scene:
    """The plate laid out on `template`, or ArtworkError saying why it cannot be."""
    qr = qr_plan(plate.payload, template, error_correction)
    content = plate_content(plate, template)
    if template.arrangement == Arrangement.SIDE:
        items = _side(template, qr, content)
    else:
        items = _stacked(template, qr, content)
    palette = template.palette
    border = Rect(
        x=template.border_inset_mm,
        y=template.border_inset_mm,
        width=template.width_mm - 2 * template.border_inset_mm,
        height=template.height_mm - 2 * template.border_inset_mm,
        stroke=palette.border,
        stroke_mm=template.border_width_mm,
        radius_mm=template.corner_radius_mm,
    )
    position = _("hangs at: %(position)s") % {"position": plate.position} if plate.position else ""
    return Scene(
        width_mm=template.width_mm,
        height_mm=template.height_mm,
        bleed_mm=template.bleed_mm,
        background=palette.background,
        items=(border, *items),
        qr=qr,
        template=template,
        code=plate.code,
        title=" · ".join(
            filter(None, [group_code(plate.code, template.code_group), plate.name_vi, position])
        ),
        description=describe(template, qr),
    )


def describe(template: Template, qr: QrPlan) -> tuple[str, ...]:
    """What the print shop and the installer need to know, in the active language."""
    return (
        _("Template: %(label)s") % {"label": template.label},
        _("Printed size %(width)s × %(height)s mm, plus %(bleed)s mm bleed on every side")
        % {
            "width": number(template.width_mm),
            "height": number(template.height_mm),
            "bleed": number(template.bleed_mm),
        },
        _("Mount %(height)s m above the ground; read from %(distance)s m")
        % {
            "height": span(template.mounting_height_m),
            "distance": span(template.reading_distance_m),
        },
        _(
            "QR code %(size)s mm wide (at least a tenth of the reading distance), version "
            "%(version)d, error correction %(level)s, module %(module)s mm, quiet zone "
            "%(quiet)d modules"
        )
        % {
            "size": number(qr.size_mm),
            "version": qr.version,
            "level": qr.error_correction,
            "module": number(qr.module_mm, 2),
            "quiet": qr.quiet_zone_modules,
        },
        _("Encodes %(payload)s") % {"payload": qr.payload},
    )


def _panel(
    template: Template, qr: QrPlan, content: Content, x: float, y: float
) -> tuple[list[Item], float]:
    """The white panel: quiet zone, QR, quiet zone, then the code in clear characters (dark on
    white, outside the quiet zone). Returns its items and its height."""
    palette = template.palette
    # The rounded corners are added outside the quiet zone, which stays a full white square.
    radius = qr.module_mm / 2
    width = panel_width(qr)
    inset = radius + qr.quiet_zone_mm
    style = Style(Face.BOLD, template.text.code, palette.code_text, tracking_em=0.08)
    code = set_text(content.code, style, qr.size_mm, 1.0, 0.5)
    height = width + code.height + template.text.code * 0.5
    items: list[Item] = [
        Rect(x, y, width, height, fill=palette.panel, radius_mm=radius),
        QrSymbol(x + inset, y + inset, qr.module_mm, qr.matrix, palette.qr),
        *code.runs(y + width - radius, x, width, centred=True),
    ]
    return items, height


def panel_width(qr: QrPlan) -> float:
    return qr.panel_mm + qr.module_mm


def _texts(template: Template, content: Content) -> tuple[list[tuple], list[tuple]]:
    """The texts above and below (or beside) the QR, as (content, style) pairs."""
    sizes, palette = template.text, template.palette
    top = []
    if sizes.heading:
        top.append(
            (content.heading, Style(Face.BOLD, sizes.heading, palette.secondary_text, 2, 0.08))
        )
    top += [
        (
            content.name_vi,
            Style(
                Face.BOLD,
                sizes.name_vi,
                palette.text,
                sizes.name_lines,
                space_before_em=0.45,
                elastic=True,
            ),
        ),
        (
            content.name_en,
            Style(Face.REGULAR, sizes.name_en, palette.text, 2, space_before_em=0.45),
        ),
        (
            content.unit,
            Style(
                Face.REGULAR,
                sizes.unit,
                palette.secondary_text,
                1,
                space_before_em=0.6,
            ),
        ),
    ]
    bottom = [
        (content.cta_vi, Style(Face.BOLD, sizes.call_to_action, palette.text, 2)),
        (
            content.cta_en,
            Style(
                Face.REGULAR, sizes.call_to_action, palette.secondary_text, 2, space_before_em=0.3
            ),
        ),
        (
            (
                Segment(content.portal, Face.BOLD, palette.text),
                Segment(content.host, Face.REGULAR, palette.secondary_text),
            ),
            Style(Face.REGULAR, sizes.portal, palette.text, space_before_em=1.2),
        ),
    ]
    return [t for t in top if t[0]], bottom


def _fit_column(
    template: Template,
    texts: list[tuple],
    width: float,
    height_for: Callable[[list[Paragraph]], bool],
) -> list[Paragraph]:
    """Set `texts` in a column of `width`, shrinking the elastic ones (the names) until
    `height_for(paragraphs)` says they fit."""
    floor = template.text.min_scale
    scale = 1.0
    while True:
        paragraphs = [
            set_text(text, style, width, scale if style.elastic else 1.0, floor)
            for text, style in texts
        ]
        if height_for(paragraphs) or scale - SHRINK_STEP < floor - 1e-9:
            return paragraphs
        scale -= SHRINK_STEP


def _fit_names(
    template: Template,
    content: Content,
    texts: list[tuple],
    width: float,
    fits: Callable[[list[Paragraph]], bool],
) -> list[Paragraph]:
    """The names' column, or a refusal that names the record as the editor wrote it."""
    try:
        paragraphs = _fit_column(template, texts, width, fits)
    except ArtworkError:
        paragraphs = None
    if paragraphs is None or not fits(paragraphs):
        raise ArtworkError(
            _(
                "The name “%(name)s” does not fit on the template “%(template)s” even at the "
                "smallest legible size: shorten it or choose a larger template."
            )
            % {"name": content.record_name, "template": template.label}
        )
    return paragraphs


def _side(template: Template, qr: QrPlan, content: Content) -> list[Item]:
    """Nameplate look: the QR panel on the left, the names top right, the call to action and
    the portal bottom right, both text blocks aligned with the panel's edges."""
    margin = template.margin_mm
    inner_height = template.height_mm - 2 * margin
    _items, panel_height = _panel(template, qr, content, 0, 0)
    if panel_height > inner_height or panel_width(qr) > (template.width_mm - 2 * margin) * 0.6:
        raise _panel_too_big(template, qr, panel_height)
    x, y = margin, (template.height_mm - panel_height) / 2
    panel, _height = _panel(template, qr, content, x, y)
    left = x + panel_width(qr) + margin
    width = template.width_mm - margin - left
    top_texts, bottom_texts = _texts(template, content)
    bottom = _fit_column(template, bottom_texts, width, lambda _ps: True)
    gap = template.text.name_vi * 0.5

    def fits(paragraphs: list[Paragraph]) -> bool:
        return stack(paragraphs) + gap + stack(bottom) <= panel_height

    top = _fit_names(template, content, top_texts, width, fits)
    runs = place(top, y, left, width, centred=False)
    runs += place(bottom, y + panel_height - stack(bottom), left, width, centred=False)
    return [*panel, *runs]


def _stacked(template: Template, qr: QrPlan, content: Content) -> list[Item]:
    """Panel look: heading and names at the top, the QR panel in the middle, the call to action
    and the portal at the bottom, everything centred."""
    margin = template.margin_mm
    width = template.width_mm - 2 * margin
    _items, panel_height = _panel(template, qr, content, 0, 0)
    if panel_width(qr) > width or panel_height > template.height_mm - 2 * margin:
        raise _panel_too_big(template, qr, panel_height)
    top_texts, bottom_texts = _texts(template, content)
    bottom = _fit_column(template, bottom_texts, width, lambda _ps: True)
    gap = template.text.name_vi * 0.6
    room = template.height_mm - 2 * margin - panel_height - 2 * gap

    def fits(paragraphs: list[Paragraph]) -> bool:
        return stack(paragraphs) + stack(bottom) <= room

    top = _fit_names(template, content, top_texts, width, fits)
    top_bottom_edge = margin + stack(top)
    bottom_top_edge = template.height_mm - margin - stack(bottom)
    # The panel sits in the middle of the space the texts leave.
    y = (top_bottom_edge + bottom_top_edge - panel_height) / 2
    panel, _height = _panel(template, qr, content, (template.width_mm - panel_width(qr)) / 2, y)
    runs = place(top, margin, margin, width, centred=True)
    runs += place(bottom, bottom_top_edge, margin, width, centred=True)
    return [*panel, *runs]


def _panel_too_big(template: Template, qr: QrPlan, panel_height: float) -> ArtworkError:
    return ArtworkError(
        _(
            "The QR panel (%(width)s × %(height)s mm with its quiet zone and code) does not fit "
            "on the %(plate_width)s × %(plate_height)s mm plate: make the plate larger or the "
            "QR smaller."
        )
        % {
            "width": number(panel_width(qr)),
            "height": number(panel_height),
            "plate_width": number(template.width_mm),
            "plate_height": number(template.height_mm),
        }
    )
