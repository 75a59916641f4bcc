"""The steering committee's dashboard, read in a minute: first the current phase of the plan
(its three stages against their targets, the forecast, scans this month, open problem reports),
then a map of the communes shaded by progress, the burn-up of the three stages and scans per
week, then the tables: per commune of the phase, the late records, and for each commune and
ward with records or activity, records by kind and how complete they are, plates by stage and
scans and reports (all 65 one click away). Withdrawn and merged records count nowhere.

Every figure comes from a handful of grouped aggregate queries (one per table, whatever the
number of units); the charts are SVG drawn on the server from pure geometry functions, the map
by `lib.svgmap`. Every table downloads as CSV and XLSX (`export`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import tablib
from django.contrib import admin
from django.contrib.auth.decorators import user_passes_test
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncWeek
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from lib import languages, svgmap
from lib.text import spreadsheet_cell
from qrplates.models import Plate, PlateScanDay
from sites import roles
from sites.models import (
    AdminUnit,
    Person,
    Photo,
    Place,
    ProblemReport,
    Suggestion,
    counted_q,
    province_bbox,
)
from workflow.models import Plan, Stage
from workflow.progress import PhaseProgress, current_phase, phase_progress

WEEKS = 12
# Plates no longer part of the plan: a replaced plate lives on in its replacement.
OUT_OF_PLAN = (Plate.Status.RETIRED, Plate.Status.REPLACED)


def written(model: type[Place] | type[Person], code: str) -> Q:
    """Records whose text in language `code` exists (every field that must be translated)."""
    suffix = languages.get(code).suffix
    condition = Q()
    for name in model.required_translations:
        condition &= ~Q(**{f"{name}_{suffix}": ""}) & Q(**{f"{name}_{suffix}__isnull": False})
    return condition


def translated_counts(model: type[Place] | type[Person]) -> dict[str, Count]:
    """An aggregate per language content is translated into: `written_<suffix>`."""
    return {
        f"written_{languages.get(code).suffix}": Count("pk", filter=written(model, code))
        for code in languages.translations()
    }


def translated_from(item: dict) -> dict[str, int]:
    """language code → count, from a row of `translated_counts`."""
    return {
        code: item[f"written_{languages.get(code).suffix}"] for code in languages.translations()
    }


def language_name(code: str) -> str:
    """The language's name in the admin's language ("tiếng Anh" in Vietnamese)."""
    return translation.get_language_info(code)["name_translated"]


@dataclass
class UnitRow:
    """One commune or ward (or the province total, or records filed under no unit)."""

    name: str
    kinds: dict[str, int] = field(default_factory=dict)
    # language code → records whose text exists in it, for each language content is translated into
    translated: dict[str, int] = field(default_factory=dict)
    photos: int = 0
    coordinates: int = 0
    plates: dict[str, int] = field(default_factory=dict)
    scans: int = 0
    open_reports: int = 0
    overdue_reports: int = 0
    new_suggestions: int = 0

    @property
    def records(self) -> int:
        return sum(self.kinds.values())

    @property
    def active(self) -> bool:
        """Has records, plates, scans or anything from the public: shown without "all"."""
        return bool(
            self.records or self.plates or self.scans or self.open_reports or self.new_suggestions
        )

    def share(self, count: int) -> int:
        return round(100 * count / self.records) if self.records else 0

    @property
    def planned(self) -> int:
        return sum(n for status, n in self.plates.items() if status not in OUT_OF_PLAN)

    @property
    def installed(self) -> int:
        return self.plates.get(Plate.Status.INSTALLED, 0)

    @property
    def installed_share(self) -> int:
        return round(100 * self.installed / self.planned) if self.planned else 0

    def add(self, other: UnitRow) -> None:
        for kind, n in other.kinds.items():
            self.kinds[kind] = self.kinds.get(kind, 0) + n
        for status, n in other.plates.items():
            self.plates[status] = self.plates.get(status, 0) + n
        for code, n in other.translated.items():
            self.translated[code] = self.translated.get(code, 0) + n
        for name in ("photos", "coordinates", "scans"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.open_reports += other.open_reports
        self.overdue_reports += other.overdue_reports
        self.new_suggestions += other.new_suggestions


@dataclass
class Dashboard:
    today: datetime.date
    # Every current commune and ward (and "no unit" when something is filed there), by id.
    rows: dict[int | None, UnitRow]
    province: UnitRow
    # total, photos, and translated: (language name, count) per language content is translated into
    people: dict[str, object]
    weeks: list[tuple[datetime.date, int]]
    scans_this_month: int
    plan: Plan | None
    progress: PhaseProgress | None
    show_all: bool = False

    @property
    def units(self) -> list[UnitRow]:
        """The rows the tables show: those with records or activity, or all with `show_all`."""
        return [
            row
            for key, row in self.rows.items()
            if (self.show_all and key is not None) or row.active
        ]

    @property
    def hidden_units(self) -> int:
        return sum(1 for key, row in self.rows.items() if key is not None and not row.active)


def build_dashboard(
    today: datetime.date | None = None, *, phase_id: int | None = None, show_all: bool = False
) -> Dashboard:
    today = today or timezone.localdate()
    first_week = today - datetime.timedelta(days=today.weekday() + 7 * (WEEKS - 1))
    rows: dict[int | None, UnitRow] = {
        unit.pk: UnitRow(unit.name)
        for unit in AdminUnit.objects.communes().order_by("name").only("name")
    }
    rows[None] = UnitRow(_("No commune or ward"))

    def row(unit_id: int | None) -> UnitRow:
        # A record may sit in a unit abolished since: it still counts, under its own name.
        if unit_id not in rows:
            rows[unit_id] = UnitRow(AdminUnit.objects.get(pk=unit_id).name)
        return rows[unit_id]

    # .order_by(): a model's default ordering would join the GROUP BY and split the groups.
    places = (
        Place.objects.counted()
        .order_by()
        .values("unit_id", "kind")
        .annotate(
            total=Count("pk"),
            photos=Count("pk", filter=Q(Exists(Photo.objects.filter(place=OuterRef("pk"))))),
            **translated_counts(Place),
            coordinates=Count("pk", filter=Q(lat__isnull=False)),
        )
    )
    for item in places:
        target = row(item["unit_id"])
        target.kinds[item["kind"]] = item["total"]
        for code, n in translated_from(item).items():
            target.translated[code] = target.translated.get(code, 0) + n
        target.photos += item["photos"]
        target.coordinates += item["coordinates"]
    counted_plates = Plate.objects.filter(counted_q("place"), counted_q("person")).order_by()
    for item in counted_plates.values("place__unit_id", "status").annotate(total=Count("pk")):
        row(item["place__unit_id"]).plates[item["status"]] = item["total"]
    scans = PlateScanDay.objects.filter(day__gte=first_week).order_by()
    for item in scans.values("plate__place__unit_id").annotate(total=Sum("count")):
        row(item["plate__place__unit_id"]).scans = item["total"]
    open_reports = ProblemReport.objects.filter(status=ProblemReport.State.OPEN).order_by()
    for item in open_reports.values("place__unit_id").annotate(total=Count("pk")):
        row(item["place__unit_id"]).open_reports = item["total"]
    overdue = ProblemReport.objects.overdue(today).order_by()
    for item in overdue.values("place__unit_id").annotate(total=Count("pk")):
        row(item["place__unit_id"]).overdue_reports = item["total"]
    new_suggestions = Suggestion.objects.filter(status=Suggestion.State.NEW).order_by()
    for item in new_suggestions.values("place__unit_id").annotate(total=Count("pk")):
        row(item["place__unit_id"]).new_suggestions = item["total"]

    province = UnitRow(_("Whole province"))
    for unit_row in rows.values():
        province.add(unit_row)
    people = Person.objects.counted().aggregate(
        total=Count("pk"),
        photos=Count("pk", filter=Q(Exists(Photo.objects.filter(person=OuterRef("pk"))))),
        **translated_counts(Person),
    )
    people["translated"] = [(language_name(code), n) for code, n in translated_from(people).items()]
    by_week = dict(
        scans.annotate(week=TruncWeek("day"))
        .values("week")
        .annotate(total=Sum("count"))
        .values_list("week", "total")
    )
    by_week = {(w.date() if isinstance(w, datetime.datetime) else w): n for w, n in by_week.items()}
    weeks = [
        (week, by_week.get(week, 0))
        for week in (first_week + datetime.timedelta(weeks=i) for i in range(WEEKS))
    ]
    this_month = PlateScanDay.objects.filter(day__gte=today.replace(day=1), day__lte=today)
    plan = Plan.objects.current()
    progress = None
    if plan is not None:
        chosen = plan.phases.filter(pk=phase_id).first() if phase_id else None
        progress = phase_progress(chosen, today) if chosen else current_phase(plan, today)
    return Dashboard(
        today=today,
        rows=rows,
        province=province,
        people=people,
        weeks=weeks,
        scans_this_month=this_month.aggregate(total=Sum("count"))["total"] or 0,
        plan=plan,
        progress=progress,
        show_all=show_all,
    )


# The charts and the map: plain geometry, drawn by a template.


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


def bar_chart(values: list[tuple[str, int]], *, width: int = 600, height: int = 160) -> list[Bar]:
    """Vertical bars filling `width` × `height` (SVG units, y downwards), tallest = full height."""
    if not values:
        return []
    top = max(value for _label, value in values) or 1
    slot = width / len(values)
    bars = []
    for index, (label, value) in enumerate(values):
        bar_height = round(height * value / top, 1)
        bars.append(
            Bar(
                label,
                value,
                round(index * slot + slot * 0.1, 1),
                height - bar_height,
                round(slot * 0.8, 1),
                bar_height,
            )
        )
    return bars


# One colour per stage, in the charts, the map's legend and the PDF.
STAGE_COLOURS = {Stage.GATHERED: "#b45309", Stage.PRINTED: "#417690", Stage.ATTACHED: "#15803d"}


@dataclass(frozen=True)
class Curve:
    stage: str
    label: str
    colour: str
    points: str  # SVG polyline points
    last: int


@dataclass(frozen=True)
class BurnUp:
    width: int
    height: int
    curves: list[Curve]
    scope_y: float
    scope: int
    # (x, label) along the bottom: the first and last day, and each month's first week between.
    ticks: list[tuple[float, str]]
    # (x, colour, label) for each stage's target inside the period.
    targets: list[tuple[float, str, str]]


def burn_up(progress: PhaseProgress, *, width: int = 600, height: int = 180) -> BurnUp | None:
    """The three stages' cumulative counts over the phase's weeks against the number of records
    in scope (the top line), with each target date marked where it falls in the period."""
    series = progress.series()
    if not series:
        return None
    scope = len(progress.records)
    top = max(scope, 1)
    first, last = series[0][0], series[-1][0]
    span = max((last - first).days, 1)

    def x_of(day: datetime.date) -> float:
        return round(width * (day - first).days / span, 1)

    def y_of(count: int) -> float:
        return round(height - height * count / top, 1)

    curves = []
    for index, stage in enumerate(Stage.values):
        points = " ".join(f"{x_of(day)},{y_of(counts[index])}" for day, counts in series)
        if len(series) == 1:
            points += f" {width},{y_of(series[0][1][index])}"
        curves.append(
            Curve(
                stage,
                str(Stage(stage).label),
                STAGE_COLOURS[stage],
                points,
                series[-1][1][index],
            )
        )
    ticks = [(0.0, first.strftime("%d/%m/%y")), (float(width), last.strftime("%d/%m/%y"))]
    targets = [
        (x_of(day), STAGE_COLOURS[stage.stage], stage.label)
        for stage in progress.stages
        if (day := stage.target) and first <= day <= last
    ]
    return BurnUp(width, height, curves, y_of(scope), scope, ticks, targets)


# Progress on the map: five steps of green, from none to all of the phase's three stages done.
SHADES = ("#f0fdf4", "#bbf7d0", "#4ade80", "#16a34a", "#14532d")
OUT_OF_SCOPE = "#f3f4f6"


def shade(share: int) -> str:
    return SHADES[min(share * len(SHADES) // 100, len(SHADES) - 1)]


def unit_share(unit) -> int:
    """Share of the phase's three stages done in a commune (0–100)."""
    steps = 3 * unit.scope
    done = sum(unit.done(stage) for stage in Stage.values)
    return round(100 * done / steps) if steps else 0


def map_shading(progress: PhaseProgress | None) -> list[tuple[AdminUnit, str, str]]:
    """(unit, fill, title) for each current commune and ward with a boundary: shaded by the
    share of the phase's stages done there, grey when it is not in the phase. The page's map
    and the PDF's draw from it."""
    in_phase = {unit.unit_id: unit for unit in progress.units} if progress else {}
    shaded = []
    for unit in AdminUnit.objects.communes().exclude(boundary=None).order_by("name"):
        covered = in_phase.get(unit.pk)
        if covered:
            share = unit_share(covered)
            title = _("%(name)s: %(share)s%% of the three stages done (%(records)s records)") % {
                "name": unit.name,
                "share": share,
                "records": covered.scope,
            }
            shaded.append((unit, shade(share), title))
        else:
            shaded.append(
                (unit, OUT_OF_SCOPE, _("%(name)s: not in this phase") % {"name": unit.name})
            )
    return shaded


def progress_map(progress: PhaseProgress | None) -> str:
    """The province's communes and wards shaded by progress (`map_shading`), as inline SVG
    drawn by `lib.svgmap`."""
    outlines = [
        svgmap.Outline(unit.boundary, fill=fill, stroke="#4b5563", title=title)
        for unit, fill, title in map_shading(progress)
    ]
    return svgmap.render(
        title=_("Progress of the phase by commune and ward"),
        desc=_(
            "Each commune or ward of the phase is shaded by the share of its records' three "
            "stages done, from light (none) to dark (all); grey ones are not in the phase."
        ),
        outlines=outlines,
        bbox=province_bbox(),
        width=420,
        max_height=460,
        id_prefix="progress-map",
        css_class="progress-map",
    )


# Tables, for the page and for the downloads.


def days_text(days: int | None, complete: bool) -> str:
    if complete:
        return _("done")
    if days is None:
        return "—"
    if days >= 0:
        return _("%(days)s days left") % {"days": days}
    return _("%(days)s days late") % {"days": -days}


def date_text(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def days_number(value: float | None) -> object:
    return "—" if value is None else round(value, 1)


def forecast_sentence(progress: PhaseProgress) -> str:
    """What the page and the report say of when the phase completes."""
    if progress.complete:
        return _("This phase is complete.")
    if progress.forecast:
        return _("At the pace of the last 30 days, this phase completes on %(day)s.") % {
            "day": progress.forecast.strftime("%d/%m/%Y")
        }
    return _("Nothing moved at one of its stages in the last 30 days: no forecast for this phase.")


def plan_tables(board: Dashboard) -> dict[str, tuple[str, list[str], list[list[object]]]]:
    """The phase's figures: its stages, its communes, its late records, its burn-up."""
    progress = board.progress
    if progress is None:
        return {}
    stage_names = [str(label) for label in Stage.labels]
    stages = [
        [
            stage.label,
            stage.done,
            stage.scope,
            stage.share,
            date_text(stage.target),
            days_text(stage.days_left, stage.complete),
            stage.recent,
            date_text(stage.forecast),
        ]
        for stage in progress.stages
    ]
    units = [
        [
            unit.name,
            unit.scope,
            *(unit.done(stage) for stage in Stage.values),
            days_number(unit.median_gather_days),
            days_number(unit.median_attach_days),
            sum(1 for item in progress.late_items if item.unit == unit.name),
        ]
        for unit in progress.units
    ]
    late = [
        [item.record.name, item.unit, item.stage_label, date_text(item.target), item.days_late]
        for item in progress.late_items
    ]
    burn = [[date_text(day), *counts] for day, counts in progress.series()]
    return {
        "stages": (
            _("Stages of the phase"),
            [
                _("Stage"),
                _("Done"),
                _("In scope"),
                _("Done (%)"),
                _("Target"),
                _("Days left or late"),
                _("Done in the last 30 days"),
                _("Forecast at that pace"),
            ],
            stages,
        ),
        "phase-units": (
            _("Communes and wards of the phase"),
            [
                _("Commune or ward"),
                _("In scope"),
                *stage_names,
                _("Median days to gather"),
                _("Median days from printed to attached"),
                _("Late records"),
            ],
            units,
        ),
        "late": (
            _("Late records"),
            [
                _("Record"),
                _("Commune or ward"),
                _("Stage not reached"),
                _("Target"),
                _("Days late"),
            ],
            late,
        ),
        "burn-up": (
            _("Stages over time"),
            [_("Day"), *stage_names],
            burn,
        ),
    }


def tables(board: Dashboard) -> dict[str, tuple[str, list[str], list[list[object]]]]:
    """name → (title, header, rows): what the page shows and each download holds."""
    everyone = [*board.units, board.province]
    kinds = Place.Kind
    records = [
        [
            r.name,
            r.kinds.get(kinds.STREET, 0),
            r.kinds.get(kinds.RELIC, 0),
            r.kinds.get(kinds.SCENIC, 0),
            r.records,
            *(r.share(r.translated.get(code, 0)) for code in languages.translations()),
            r.share(r.photos),
            r.share(r.coordinates),
        ]
        for r in everyone
    ]
    stages = list(Plate.Status.values)
    plates = [
        [r.name, *(r.plates.get(s, 0) for s in stages), r.planned, r.installed_share]
        for r in everyone
    ]
    activity = [
        [r.name, r.scans, r.open_reports, r.overdue_reports, r.new_suggestions] for r in everyone
    ]
    return {
        **plan_tables(board),
        "records": (
            _("Records"),
            [
                _("Commune or ward"),
                str(kinds.STREET.label),
                str(kinds.RELIC.label),
                str(kinds.SCENIC.label),
                _("Total"),
                *(
                    _("With %(language)s (%%)") % {"language": language_name(code)}
                    for code in languages.translations()
                ),
                _("With photos (%)"),
                _("With coordinates (%)"),
            ],
            records,
        ),
        "plates": (
            _("Plates"),
            [
                _("Commune or ward"),
                *(str(Plate.Status(s).label) for s in stages),
                _("Plates in the plan"),
                _("Attached of those in the plan (%)"),
            ],
            plates,
        ),
        "activity": (
            _("Scans and reports"),
            [
                _("Commune or ward"),
                _("Scans, last %(weeks)s weeks") % {"weeks": WEEKS},
                _("Open problem reports"),
                _("Overdue problem reports"),
                _("Suggestions waiting"),
            ],
            activity,
        ),
        "weeks": (
            _("Scans per week"),
            [_("Week starting"), _("Scans")],
            [[week.strftime("%d/%m/%Y"), n] for week, n in board.weeks],
        ),
    }


EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export(name: str, table: tuple[str, list[str], list[list[object]]], file_format: str):
    """One table as a CSV (UTF-8 with a BOM, which Excel needs to read Vietnamese) or an XLSX
    download. Every text cell goes through `spreadsheet_cell`: a commune's name that looks like
    a formula would run in the committee's spreadsheet."""
    title, header, rows = table
    dataset = tablib.Dataset(
        *([spreadsheet_cell(value) for value in row] for row in rows),
        headers=[spreadsheet_cell(str(value)) for value in header],
        title=title[:31],
    )
    response = HttpResponse(content_type=EXPORT_FORMATS[file_format])
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="dashboard-{name}-{day}.{file_format}"'
    if file_format == "csv":
        response.write("\ufeff" + dataset.export("csv"))
    else:
        response.write(dataset.export("xlsx"))
    return response


def phase_id_of(request: HttpRequest) -> int | None:
    value = request.GET.get("phase", "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@admin.site.admin_view
@user_passes_test(roles.can_view_dashboard, login_url="admin:login")
def dashboard_view(request: HttpRequest) -> HttpResponse:
    board = build_dashboard(phase_id=phase_id_of(request), show_all=request.GET.get("all") == "1")
    all_tables = tables(board)
    for file_format in EXPORT_FORMATS:
        wanted = request.GET.get(file_format)
        if wanted is not None:
            if wanted not in all_tables:
                raise Http404(_("No such table."))
            return export(wanted, all_tables[wanted], file_format)
    progress = board.progress
    first_tables = ("stages", "burn-up")
    context = {
        **admin.site.each_context(request),
        "title": _("Dashboard"),
        "board": board,
        "progress": progress,
        "tables": {k: v for k, v in all_tables.items() if k not in first_tables},
        "chart": bar_chart([(week.strftime("%d/%m"), n) for week, n in board.weeks]),
        "burn_up": burn_up(progress) if progress else None,
        # lib.svgmap escapes every text it writes.
        "map": mark_safe(progress_map(progress)),
        "shades": SHADES,
        "out_of_scope": OUT_OF_SCOPE,
        "people": board.people,
        "phase_query": f"phase={progress.phase.pk}&" if progress else "",
        "forecast": forecast_sentence(progress) if progress else "",
        # The tables whose last row is the province's total.
        "with_total": ("records", "plates", "activity"),
    }
    return TemplateResponse(request, "admin/sites/dashboard.html", context)
