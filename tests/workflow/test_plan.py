"""The province's plan as data: which records a phase covers, and its progress computed from
publication, text states and plate steps (never typed in)."""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lib import languages
from qrplates.models import Plate
from qrplates.services import plate_mint, plate_transition
from sites.models import Place, Relic, Status, Street, TextState
from workflow.demo import load_demo_plan
from workflow.models import Phase, Plan, Stage
from workflow.progress import phase_progress

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def reviewed_everywhere() -> dict[str, str]:
    return dict.fromkeys(languages.codes(), TextState.REVIEWED)


def street(unit, name: str, **fields) -> Street:
    values = {
        "unit": unit,
        "status": Status.PUBLISHED,
        "summary_vi": "Tóm tắt.",
        "body_vi": "Nội dung.",
        **{
            f"{field}_{languages.get(code).suffix}": text
            for code in languages.translations()
            for field, text in (
                ("name", f"{name} ({code})"),
                ("summary", "Summary."),
                ("body", "Body."),
            )
        },
        **fields,
    }
    return Street.objects.create(name_vi=name, **values)


def attach(place, printed: datetime.date, installed: datetime.date | None = None) -> Plate:
    """A plate taken through its steps today, then dated as if they happened earlier (the
    services refuse a step dated before the plate was minted)."""
    plate = plate_mint(target=place)
    plate_transition(plate=plate, status=Plate.Status.ARTWORK_APPROVED)
    plate_transition(plate=plate, status=Plate.Status.PRINTED)
    if installed:
        plate_transition(plate=plate, status=Plate.Status.INSTALLED, lat=21.85, lon=106.75)
        plate.events.filter(to_status=Plate.Status.INSTALLED).update(on=installed)
    plate.events.exclude(to_status=Plate.Status.INSTALLED).update(on=printed)
    return plate


@pytest.fixture
def phase(tam_thanh) -> Phase:
    plan = Plan.objects.create(title="Kế hoạch thử")
    phase = plan.phases.create(
        name="Giai đoạn 1",
        kinds=[Place.Kind.STREET],
        starts_on=TODAY - 60 * DAY,
        gather_by=TODAY - 10 * DAY,
        print_by=TODAY + 10 * DAY,
        attach_by=TODAY + 40 * DAY,
    )
    phase.units.set([tam_thanh])
    return phase


@pytest.fixture
def streets(tam_thanh, ky_lua):
    done = street(tam_thanh, "Phố Xong", translation_states=reviewed_everywhere())
    half = street(tam_thanh, "Phố Nửa", translation_states={"vi": TextState.REVIEWED})
    street(tam_thanh, "Phố Bỏ", status=Status.WITHDRAWN, translation_states=reviewed_everywhere())
    street(
        tam_thanh,
        "Phố Gộp",
        status=Status.WITHDRAWN,
        merged_into=done,
        translation_states=reviewed_everywhere(),
    )
    street(ky_lua, "Phố Xã Khác", translation_states=reviewed_everywhere())
    Relic.objects.create(name_vi="Di tích Tam Thanh", unit=tam_thanh, status=Status.PUBLISHED)
    attach(done, printed=TODAY - 20 * DAY, installed=TODAY - 5 * DAY)
    attach(half, printed=TODAY - 3 * DAY)
    return done, half


def test_a_phase_covers_its_communes_and_kinds_without_withdrawn_or_merged_records(phase, streets):
    assert sorted(phase.records().values_list("name_vi", flat=True)) == ["Phố Nửa", "Phố Xong"]


def test_chosen_records_join_the_scope(phase, streets, ky_lua):
    other = Place.objects.get(name_vi="Phố Xã Khác")
    phase.places.add(other)
    assert phase.records().count() == 3
    phase.units.clear()
    phase.kinds = []
    phase.save()
    assert list(phase.records()) == [other]


def test_progress_per_stage_from_publication_text_states_and_plate_steps(phase, streets):
    progress = phase_progress(phase, today=TODAY)
    counts = {s.stage: (s.done, s.scope) for s in progress.stages}
    # "Phố Nửa" is published but its English text is not reviewed: not gathered yet.
    assert counts == {
        Stage.GATHERED: (1, 2),
        Stage.PRINTED: (2, 2),
        Stage.ATTACHED: (1, 2),
    }
    gathered, printed, attached = progress.stages
    assert gathered.late and gathered.days_left == -10
    assert not printed.late and printed.complete
    assert not attached.late and attached.days_left == 40


def test_the_languages_a_phase_requires_come_from_the_registry(phase, streets):
    phase.languages = [languages.DEFAULT]
    phase.save()
    gathered = phase_progress(phase, today=TODAY).stages[0]
    assert (gathered.done, gathered.scope) == (2, 2)
    phase.languages = ["xx"]
    with pytest.raises(ValidationError):
        phase.full_clean()


def test_late_items_medians_and_the_forecast(phase, streets, tam_thanh):
    progress = phase_progress(phase, today=TODAY)
    late = progress.late_items
    assert [(i.record.name, i.stage, i.days_late) for i in late] == [
        ("Phố Nửa", Stage.GATHERED, 10)
    ]
    (unit,) = progress.units
    assert unit.name == tam_thanh.name and unit.scope == 2
    assert unit.done(Stage.ATTACHED) == 1 and unit.share == 50
    assert unit.median_attach_days == 15
    # One record attached in the last 30 days, one left: 30 days at that pace.
    attached = progress.stages[2]
    assert attached.recent == 1 and attached.forecast == TODAY + 30 * DAY
    assert progress.forecast == TODAY + 30 * DAY


def test_nothing_moved_in_30_days_gives_no_forecast(phase, streets):
    progress = phase_progress(phase, today=TODAY + 100 * DAY)
    assert progress.stages[2].forecast is None and progress.forecast is None
    assert progress.stages[2].late


def test_the_burn_up_counts_each_stage_by_week(phase, streets):
    series = phase_progress(phase, today=TODAY).series()
    assert series[0][0] == TODAY - 60 * DAY and series[-1][0] == TODAY
    assert series[0][1] == [0, 0, 0]
    assert series[-1][1][1:] == [2, 1]
    assert all(a[1][2] <= b[1][2] for a, b in itertools.pairwise(series))


def test_the_queries_do_not_grow_with_the_records(phase, streets, tam_thanh):
    for n in range(10):
        attach(street(tam_thanh, f"Phố Thêm {n}"), printed=TODAY - DAY)
    with CaptureQueriesContext(connection) as queries:
        phase_progress(phase, today=TODAY)
    assert len(queries) <= 8


def test_target_dates_follow_the_plans_order(phase):
    phase.print_by = phase.gather_by - DAY
    with pytest.raises(ValidationError):
        phase.full_clean()


def test_the_demo_plan_is_an_example_without_a_decision(demo):
    plan = load_demo_plan()
    assert plan.is_example and not plan.decision_number and plan.decision_date is None
    assert load_demo_plan() == plan and Plan.objects.count() == 1
    first = plan.phases.first()
    assert first.records().count() > 0
    assert Plan.objects.current() == plan
    real = Plan.objects.create(title="Kế hoạch thật")
    assert Plan.objects.current() == real
    assert timezone.localdate() < plan.phases.last().attach_by
