"""The steering committee's dashboard: for each commune and ward and for the province, records
by kind and how complete they are (English, photos, coordinates), plates by stage of their
life (installed against planned), scans per week, and the public's open reports.

Every figure comes from a handful of grouped aggregate queries (one per table, whatever the
number of units); the chart is SVG drawn on the server from a pure geometry function."""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass, field

from django.contrib import admin
from django.contrib.auth.decorators import user_passes_test
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncWeek
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lib import languages
from lib.text import spreadsheet_cell
from qrplates.models import Plate, PlateScanDay
from sites import roles
from sites.models import AdminUnit, Person, Photo, Place, ProblemReport, Suggestion

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
    new_suggestions: int = 0

    @property
    def records(self) -> int:
        return sum(self.kinds.values())

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
        self.new_suggestions += other.new_suggestions


@dataclass
class Dashboard:
    units: list[UnitRow]
    province: UnitRow
    # total, photos, and translated: (language name, count) per language content is translated into
    people: dict[str, object]
    weeks: list[tuple[datetime.date, int]]


def build_dashboard(today: datetime.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    first_week = today - datetime.timedelta(days=today.weekday() + 7 * (WEEKS - 1))
    rows: dict[int | None, UnitRow] = {
        unit.pk: UnitRow(unit.name) for unit in AdminUnit.objects.communes().order_by("name")
    }
    rows[None] = UnitRow(_("No commune or ward"))

    def row(unit_id: int | None) -> UnitRow:
        # A record may sit in a unit abolished since: it still counts, under its own name.
        if unit_id not in rows:
            rows[unit_id] = UnitRow(AdminUnit.objects.get(pk=unit_id).name)
        return rows[unit_id]

    # .order_by(): a model's default ordering would join the GROUP BY and split the groups.
    places = (
        Place.objects.order_by()
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
    for item in (
        Plate.objects.order_by().values("place__unit_id", "status").annotate(total=Count("pk"))
    ):
        row(item["place__unit_id"]).plates[item["status"]] = item["total"]
    scans = PlateScanDay.objects.filter(day__gte=first_week).order_by()
    for item in scans.values("plate__place__unit_id").annotate(total=Sum("count")):
        row(item["plate__place__unit_id"]).scans = item["total"]
    open_reports = ProblemReport.objects.filter(status=ProblemReport.State.OPEN).order_by()
    for item in open_reports.values("place__unit_id").annotate(total=Count("pk")):
        row(item["place__unit_id"]).open_reports = item["total"]
    new_suggestions = Suggestion.objects.filter(status=Suggestion.State.NEW).order_by()
    for item in new_suggestions.values("place__unit_id").annotate(total=Count("pk")):
        row(item["place__unit_id"]).new_suggestions = item["total"]

    province = UnitRow(_("Whole province"))
    for unit_row in rows.values():
        province.add(unit_row)
    people = Person.objects.aggregate(
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
    shown = [r for key, r in rows.items() if key is not None]
    if rows[None].records or rows[None].plates or rows[None].open_reports:
        shown.append(rows[None])
    return Dashboard(units=shown, province=province, people=people, weeks=weeks)


# The chart: plain geometry, drawn by a template.


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


# Tables, for the page and for CSV.


def tables(board: Dashboard) -> dict[str, tuple[str, list[str], list[list[object]]]]:
    """name → (title, header, rows): what the page shows and each CSV download holds."""
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
        [r.name, *(r.plates.get(s, 0) for s in stages), r.installed, r.planned, r.installed_share]
        for r in everyone
    ]
    activity = [[r.name, r.scans, r.open_reports, r.new_suggestions] for r in everyone]
    return {
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
                _("Installed"),
                _("Planned"),
                _("Installed of planned (%)"),
            ],
            plates,
        ),
        "activity": (
            _("Scans and reports"),
            [
                _("Commune or ward"),
                _("Scans, last %(weeks)s weeks") % {"weeks": WEEKS},
                _("Open problem reports"),
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


@admin.site.admin_view
@user_passes_test(roles.can_view_dashboard, login_url="admin:login")
def dashboard_view(request: HttpRequest) -> HttpResponse:
    board = build_dashboard()
    all_tables = tables(board)
    wanted = request.GET.get("csv")
    if wanted in all_tables:
        _title, header, rows = all_tables[wanted]
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="dashboard-{wanted}-{timezone.localdate().isoformat()}.csv"'
        )
        response.write("\ufeff")  # Excel reads the Vietnamese names as UTF-8
        writer = csv.writer(response)
        writer.writerow([spreadsheet_cell(str(value)) for value in header])
        # A commune's name as a formula would run in the committee's spreadsheet.
        writer.writerows([spreadsheet_cell(value) for value in row] for row in rows)
        return response
    context = {
        **admin.site.each_context(request),
        "title": _("Dashboard"),
        "board": board,
        "tables": all_tables,
        "chart": bar_chart([(week.strftime("%d/%m"), n) for week, n in board.weeks]),
        "people": board.people,
    }
    return TemplateResponse(request, "admin/sites/dashboard.html", context)
