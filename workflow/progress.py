"""How far a phase of the plan has come, computed from what the portal already records, never
typed in:

- **information gathered**: the record is published and its text is reviewed in every language
  the phase requires (`TextState.REVIEWED`); it counts from the day it was first published;
- **plate printed**: one of its plates (not retired) reached "printed", on the day of that step;
- **plate attached**: one of its plates (not retired) reached "installed", on that step's day.

For each stage: done / in scope, the target and the days left (negative: late), and a forecast
at the pace of the last `PACE_DAYS` days. For each commune: the same counts, the median time to
gather (record created → first published) and to attach (plate printed → installed), and the
records late at a stage whose target has passed. A handful of queries per phase, whatever the
number of records."""

from __future__ import annotations

import datetime
import math
import statistics
from dataclasses import dataclass, field

from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qrplates.models import Plate
from sites.models import AdminUnit, TextState
from workflow.models import Phase, Plan, Stage

PACE_DAYS = 30


@dataclass
class RecordProgress:
    """One record in a phase and the day it reached each stage (None: not yet)."""

    pk: int
    name: str
    kind: str
    unit_id: int | None
    created: datetime.date
    reached: dict[str, datetime.date | None]

    def gather_days(self) -> int | None:
        gathered = self.reached[Stage.GATHERED]
        return (gathered - self.created).days if gathered else None

    def attach_days(self) -> int | None:
        printed, attached = self.reached[Stage.PRINTED], self.reached[Stage.ATTACHED]
        return (attached - printed).days if printed and attached else None


@dataclass
class StageProgress:
    stage: str
    done: int
    scope: int
    target: datetime.date | None
    today: datetime.date
    forecast: datetime.date | None = None
    # Records done in the last PACE_DAYS days.
    recent: int = 0

    @property
    def label(self) -> str:
        return str(Stage(self.stage).label)

    @property
    def complete(self) -> bool:
        return self.done >= self.scope

    @property
    def share(self) -> int:
        return round(100 * self.done / self.scope) if self.scope else 100

    @property
    def days_left(self) -> int | None:
        """Days to the target; negative once it has passed."""
        return (self.target - self.today).days if self.target else None

    @property
    def late(self) -> bool:
        return not self.complete and self.target is not None and self.today > self.target

    @property
    def days_late(self) -> int:
        return -self.days_left if self.late else 0


@dataclass
class UnitProgress:
    unit_id: int | None
    name: str
    records: list[RecordProgress] = field(default_factory=list)

    def done(self, stage: str) -> int:
        return sum(1 for record in self.records if record.reached[stage])

    @property
    def scope(self) -> int:
        return len(self.records)

    @property
    def share(self) -> int:
        """Share of the records attached: what the map shades."""
        return round(100 * self.done(Stage.ATTACHED) / self.scope) if self.scope else 0

    @property
    def median_gather_days(self) -> float | None:
        return median(record.gather_days() for record in self.records)

    @property
    def median_attach_days(self) -> float | None:
        return median(record.attach_days() for record in self.records)


@dataclass
class LateItem:
    record: RecordProgress
    unit: str
    stage: str
    target: datetime.date
    days_late: int

    @property
    def stage_label(self) -> str:
        return str(Stage(self.stage).label)


@dataclass
class PhaseProgress:
    phase: Phase
    today: datetime.date
    stages: list[StageProgress]
    units: list[UnitProgress]
    records: list[RecordProgress]

    @property
    def complete(self) -> bool:
        return all(stage.complete for stage in self.stages)

    @property
    def forecast(self) -> datetime.date | None:
        """The day the phase completes at the recent pace: its last stage's forecast."""
        days = [stage.forecast for stage in self.stages]
        return None if None in days else max(days)

    @property
    def late_items(self) -> list[LateItem]:
        names = {unit.unit_id: unit.name for unit in self.units}
        items = []
        for stage in self.stages:
            if not stage.late:
                continue
            for record in self.records:
                if record.reached[stage.stage] is None:
                    days = (self.today - stage.target).days
                    items.append(
                        LateItem(record, names[record.unit_id], stage.stage, stage.target, days)
                    )
        return sorted(items, key=lambda item: (-item.days_late, item.unit, item.record.name))

    def series(self, start: datetime.date | None = None) -> list[tuple[datetime.date, list[int]]]:
        """The burn-up: for each week from the phase's start (or its first step) to today, how
        many records had reached each stage by that day."""
        days = sorted(
            day for record in self.records for day in record.reached.values() if day is not None
        )
        start = start or self.phase.starts_on or (days[0] if days else self.today)
        start = min(start, self.today)
        points = []
        day = start
        while True:
            points.append(
                (
                    day,
                    [
                        sum(1 for r in self.records if r.reached[s] and r.reached[s] <= day)
                        for s in Stage.values
                    ],
                )
            )
            if day >= self.today:
                break
            day = min(day + datetime.timedelta(weeks=1), self.today)
        return points


def median(values) -> float | None:
    known = [value for value in values if value is not None]
    return statistics.median(known) if known else None


def forecast(
    done: int, scope: int, recent: int, today: datetime.date, last: datetime.date | None
) -> datetime.date | None:
    """When the stage completes at the pace of the last PACE_DAYS days: the day of its last
    record when it is complete, None when nothing moved in that time."""
    if done >= scope:
        return last or today
    if not recent:
        return None
    per_day = recent / PACE_DAYS
    return today + datetime.timedelta(days=math.ceil((scope - done) / per_day))


def phase_progress(phase: Phase, today: datetime.date | None = None) -> PhaseProgress:
    today = today or timezone.localdate()
    scope = phase.records()
    gathered = scope.published()
    for code in phase.required_languages():
        gathered = gathered.with_text_state(code, TextState.REVIEWED)
    gathered_ids = set(gathered.values_list("pk", flat=True))
    plates = (
        Plate.objects.filter(place__in=scope)
        .exclude(status=Plate.Status.RETIRED)
        .order_by()
        .values("place_id")
        .annotate(
            printed=Min("events__on", filter=Q(events__to_status=Plate.Status.PRINTED)),
            attached=Min("events__on", filter=Q(events__to_status=Plate.Status.INSTALLED)),
        )
    )
    plate_days = {row["place_id"]: row for row in plates}
    records = []
    for row in scope.order_by("name").values(
        "pk", "name", "kind", "unit_id", "created_at", "published_at"
    ):
        days = plate_days.get(row["pk"], {})
        published = row["published_at"]
        records.append(
            RecordProgress(
                pk=row["pk"],
                name=row["name"],
                kind=row["kind"],
                unit_id=row["unit_id"],
                created=timezone.localdate(row["created_at"]),
                reached={
                    Stage.GATHERED: timezone.localdate(published)
                    if row["pk"] in gathered_ids and published
                    else None,
                    Stage.PRINTED: days.get("printed"),
                    Stage.ATTACHED: days.get("attached"),
                },
            )
        )
    since = today - datetime.timedelta(days=PACE_DAYS)
    stages = []
    for stage in Stage.values:
        reached = [r.reached[stage] for r in records if r.reached[stage]]
        recent = sum(1 for day in reached if since < day <= today)
        stages.append(
            StageProgress(
                stage=stage,
                done=len(reached),
                scope=len(records),
                target=phase.target(stage),
                today=today,
                forecast=forecast(
                    len(reached), len(records), recent, today, max(reached, default=None)
                ),
                recent=recent,
            )
        )
    names = dict(
        AdminUnit.objects.filter(pk__in={r.unit_id for r in records}).values_list("pk", "name")
    )
    units: dict[int | None, UnitProgress] = {}
    for record in records:
        unit = units.setdefault(
            record.unit_id,
            UnitProgress(record.unit_id, names.get(record.unit_id) or _("No commune or ward")),
        )
        unit.records.append(record)
    return PhaseProgress(
        phase=phase,
        today=today,
        stages=stages,
        units=sorted(units.values(), key=lambda unit: unit.name),
        records=records,
    )


def current_phase(plan: Plan, today: datetime.date | None = None) -> PhaseProgress | None:
    """The phase the committee follows now: the first not complete (in the plan's order), else
    the last one."""
    last = None
    for phase in plan.phases.all():
        last = phase_progress(phase, today)
        if not last.complete:
            return last
    return last
