"""The quarterly report for the steering committee's meeting: one PDF with the dashboard's
figures for a phase of the plan (its stages against their targets and the forecast, the map of
the communes, the burn-up, the table per commune, scans per week) and the list of late records.
In Vietnamese, in English with `?lang=en` (any language of the site).

Drawn with reportlab from the same numbers as the page (`workflow.dashboard`), in the plates'
typeface (Be Vietnam Pro, embedded, so every Vietnamese diacritic prints)."""

from __future__ import annotations

import io

from django.contrib import admin
from django.contrib.auth.decorators import user_passes_test
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from lib import languages, svgmap
from qrplates.artwork.fonts import Face
from qrplates.artwork.pdf import register_fonts
from sites import roles
from sites.models import province_bbox
from workflow import dashboard
from workflow.models import Stage

REGULAR, BOLD = Face.REGULAR.postscript_name, Face.BOLD.postscript_name
# The late records listed in full; the rest are counted (the CSV holds them all).
LATE_LISTED = 60


def styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=REGULAR, fontSize=9.5, leading=12.5)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=16, leading=20),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=BOLD, fontSize=12, leading=15, spaceBefore=8, spaceAfter=4
        ),
        "example": ParagraphStyle(
            "example", parent=base, fontName=BOLD, textColor=colors.HexColor("#78350f")
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=9.5),
    }


def table(header: list[str], rows: list[list[object]], style: dict, widths=None) -> Table:
    cell = style["cell"]
    data = [[Paragraph(f"<b>{escape(h)}</b>", cell) for h in header]]
    data += [[Paragraph(escape(value), cell) for value in row] for row in rows]
    result = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    result.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#9ca3af")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e5e7eb")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return result


def escape(value: object) -> str:
    """A value as Paragraph markup (which reads <, > and & as tags and entities)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def map_drawing(progress, width: float = 80 * mm) -> Drawing | None:
    bbox = province_bbox()
    if not bbox:
        return None
    project = svgmap.Projection(bbox, width=int(width), max_height=int(width * 1.1))
    drawing = Drawing(width, project.height, initialFontName=REGULAR)
    for unit, fill, _title in dashboard.map_shading(progress):
        for ring in svgmap.rings_of(unit.boundary):
            points = []
            for lon, lat in ring:
                x, y = project.exact(lon, lat)
                points += [x, project.height - y]
            drawing.add(
                Polygon(
                    points,
                    fillColor=colors.HexColor(fill),
                    strokeColor=colors.HexColor("#4b5563"),
                    strokeWidth=0.3,
                )
            )
    return drawing


def burn_up_drawing(progress, width: float = 90 * mm, height: float = 55 * mm) -> Drawing:
    chart = dashboard.burn_up(progress, width=int(width) - 30, height=int(height) - 20)
    drawing = Drawing(width, height, initialFontName=REGULAR)
    left, bottom = 24, 14

    def at(x: float, y: float) -> tuple[float, float]:
        return left + x, bottom + chart.height - y

    drawing.add(Line(*at(0, chart.height), *at(chart.width, chart.height), strokeWidth=0.5))
    drawing.add(
        Line(
            *at(0, chart.scope_y),
            *at(chart.width, chart.scope_y),
            strokeColor=colors.HexColor("#6b7280"),
            strokeDashArray=[3, 2],
            strokeWidth=0.6,
        )
    )
    drawing.add(
        String(
            left - 3,
            at(0, chart.scope_y)[1] - 3,
            str(chart.scope),
            fontName=REGULAR,
            fontSize=7,
            textAnchor="end",
        )
    )
    drawing.add(String(left - 3, bottom - 3, "0", fontName=REGULAR, fontSize=7, textAnchor="end"))
    for x, colour, _label in chart.targets:
        drawing.add(
            Line(
                *at(x, 0),
                *at(x, chart.height),
                strokeColor=colors.HexColor(colour),
                strokeDashArray=[1, 2],
                strokeWidth=0.6,
            )
        )
    for curve in chart.curves:
        points = []
        for pair in curve.points.split():
            x, y = (float(n) for n in pair.split(","))
            points += list(at(x, y))
        drawing.add(PolyLine(points, strokeColor=colors.HexColor(curve.colour), strokeWidth=1.5))
    for x, label in chart.ticks:
        anchor = "start" if x == 0 else "end"
        drawing.add(String(left + x, 2, label, fontName=REGULAR, fontSize=7, textAnchor=anchor))
    return drawing


def legend(items: list[tuple[str, str]], style: dict) -> Table:
    """Colour swatches with their labels, in one row."""
    cells, widths = [], []
    for colour, label in items:
        swatch = Drawing(8, 8, initialFontName=REGULAR)
        swatch.add(Rect(0, 0, 8, 8, fillColor=colors.HexColor(colour), strokeWidth=0.3))
        cells += [swatch, Paragraph(escape(label), style["small"])]
        widths += [11, stringWidth(label, REGULAR, 8) + 8]
    result = Table([cells], colWidths=widths, hAlign="LEFT")
    result.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return result


def build_report(board: dashboard.Dashboard) -> bytes:
    """The PDF, in the active language."""
    register_fonts()
    style = styles()
    progress = board.progress
    plan = board.plan
    all_tables = dashboard.tables(board)
    story = [Paragraph(escape(_("Quarterly report to the steering committee")), style["title"])]
    story.append(
        Paragraph(
            escape(_("Figures as of %(day)s.") % {"day": board.today.strftime("%d/%m/%Y")}),
            style["body"],
        )
    )
    if plan is None or progress is None:
        story.append(Paragraph(escape(_("No plan has been entered yet.")), style["body"]))
    else:
        story.append(Spacer(1, 4))
        story.append(Paragraph(f"<b>{escape(plan.title)}</b>", style["body"]))
        if plan.is_example:
            story.append(Paragraph(escape(_("Example: not an adopted plan")), style["example"]))
        decision = " ".join(
            part
            for part in (
                plan.decision_number,
                plan.decision_date.strftime("%d/%m/%Y") if plan.decision_date else "",
                plan.decision_issuer,
            )
            if part
        )
        if decision:
            story.append(Paragraph(escape(_("Adopted by") + " " + decision), style["body"]))
        story.append(Paragraph(escape(_("Phase") + ": " + progress.phase.name), style["body"]))
        story.append(Paragraph(escape(_("Stages of the phase")), style["h2"]))
        _title, header, rows = all_tables["stages"]
        story.append(table(header, rows, style))
        story.append(Spacer(1, 4))
        story.append(Paragraph(escape(dashboard.forecast_sentence(progress)), style["body"]))
        story.append(
            Paragraph(
                escape(
                    _(
                        "Scans this month: %(scans)s. Open problem reports: %(reports)s, "
                        "%(overdue)s of them overdue."
                    )
                    % {
                        "scans": board.scans_this_month,
                        "reports": board.province.open_reports,
                        "overdue": board.province.overdue_reports,
                    }
                ),
                style["body"],
            )
        )
        charts = [
            [
                map_drawing(progress) or "",
                burn_up_drawing(progress),
            ],
            [
                Paragraph(escape(_("Progress by commune and ward")), style["small"]),
                Paragraph(escape(_("Stages over time")), style["small"]),
            ],
        ]
        story.append(Spacer(1, 6))
        charts_table = Table(charts, hAlign="LEFT")
        charts_table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR)]))
        story.append(charts_table)
        story.append(
            legend(
                [
                    *((colour, f"{100 * i // 5}%") for i, colour in enumerate(dashboard.SHADES)),
                    (dashboard.OUT_OF_SCOPE, _("not in the phase")),
                    *((dashboard.STAGE_COLOURS[s], str(Stage(s).label)) for s in Stage.values),
                ],
                style,
            )
        )
        story.append(Paragraph(escape(_("Communes and wards of the phase")), style["h2"]))
        _title, header, rows = all_tables["phase-units"]
        story.append(table(header, rows, style))
        _title, header, rows = all_tables["late"]
        late = [Paragraph(escape(_("Late records")), style["h2"])]
        if rows:
            late.append(table(header, rows[:LATE_LISTED], style))
            if len(rows) > LATE_LISTED:
                late.append(
                    Paragraph(
                        escape(
                            _("And %(count)s more: see the dashboard's download.")
                            % {"count": len(rows) - LATE_LISTED}
                        ),
                        style["small"],
                    )
                )
        else:
            late.append(Paragraph(escape(_("None.")), style["body"]))
        story.append(KeepTogether(late[:2]))
        story += late[2:]
    _title, header, rows = all_tables["weeks"]
    story.append(Paragraph(escape(_("Scans per week")), style["h2"]))
    story.append(table(header, rows, style))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Quarterly report to the steering committee"),
        lang=translation.get_language(),
        initialFontName=REGULAR,
    )
    document.build(story)
    return buffer.getvalue()


@admin.site.admin_view
@user_passes_test(roles.can_view_dashboard, login_url="admin:login")
def report_view(request: HttpRequest) -> HttpResponse:
    language = languages.supported(request.GET.get("lang")) or languages.DEFAULT
    with translation.override(language):
        board = dashboard.build_dashboard(phase_id=dashboard.phase_id_of(request))
        pdf = build_report(board)
    response = HttpResponse(pdf, content_type="application/pdf")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="report-{language}-{day}.pdf"'
    return response
