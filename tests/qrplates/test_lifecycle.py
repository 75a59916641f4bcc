"""A plate's life: planned → artwork approved → printed → installed → (damaged → replaced) or
retired, each step dated, signed and checked; and the two lead times the province tracks."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.deletion import ProtectedError
from django.utils import timezone, translation
from PIL import Image

from qrplates import codes, services
from qrplates.models import MAX_PHOTO_BYTES, Plate, PlateEvent
from qrplates.services import plate_mint, plate_replace, plate_retarget, plate_transition
from sites.models import Status, Street

pytestmark = pytest.mark.django_db

S = Plate.Status
LANG_SON = {"lat": 21.8537, "lon": 106.7615}


def day(n: int) -> datetime.date:
    """n days before today, read when asked: a run crossing midnight in Lạng Sơn stays right."""
    return timezone.localdate() - datetime.timedelta(days=n)


def photo(name: str = "install.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "gray").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def walk(plate: Plate, start: int = 60) -> Plate:
    """Planned 60 days ago, approved after 20 days, printed 10 days later, installed 5 later."""
    PlateEvent.objects.filter(plate=plate).update(on=day(start))
    plate_transition(plate=plate, status=S.ARTWORK_APPROVED, on=day(start - 20))
    plate_transition(plate=plate, status=S.PRINTED, on=day(start - 30), done_by="In Lạng Sơn")
    plate_transition(plate=plate, status=S.INSTALLED, on=day(start - 35), **LANG_SON)
    return plate


def test_a_minted_plate_is_planned_with_a_dated_signed_first_step(street, staff):
    plate = plate_mint(target=street, label="Đầu phố phía Bắc", by=staff)
    assert plate.status == S.PLANNED and codes.is_valid(plate.code)
    event = plate.events.get()
    assert (event.from_status, event.to_status) == ("", S.PLANNED)
    assert event.on == day(0) and event.recorded_by == staff
    assert plate.created_by == staff
    assert plate.owner == street


def test_a_record_can_carry_several_plates_each_with_its_own_code(street):
    north, south = plate_mint(target=street, label="Bắc"), plate_mint(target=street, label="Nam")
    assert north.code != south.code
    assert set(street.plates.values_list("label", flat=True)) == {"Bắc", "Nam"}


def test_the_whole_life_is_recorded_step_by_step(street, staff):
    plate = plate_mint(target=street)
    walk(plate)
    plate_transition(plate=plate, status=S.DAMAGED, notes="Bị xe va", by=staff)
    replacement = plate_replace(plate=plate, by=staff, done_by="Đội lắp đặt số 2")
    plate.refresh_from_db()
    assert plate.status == S.REPLACED
    assert list(plate.events.values_list("to_status", flat=True)) == [
        S.PLANNED,
        S.ARTWORK_APPROVED,
        S.PRINTED,
        S.INSTALLED,
        S.DAMAGED,
        S.REPLACED,
    ]
    assert replacement.replaces == plate and replacement.status == S.PLANNED
    assert replacement.code != plate.code and replacement.owner == street
    assert plate.allowed_next() == []


def test_an_installation_keeps_its_position_photo_who_and_notes(plate, staff):
    plate_transition(plate=plate, status=S.ARTWORK_APPROVED)
    plate_transition(plate=plate, status=S.PRINTED)
    event = plate_transition(
        plate=plate,
        status=S.INSTALLED,
        by=staff,
        done_by="Đội lắp đặt phường Lương Văn Tri",
        photo=photo(),
        notes="Cột đèn số 12",
        **LANG_SON,
    )
    event.refresh_from_db()
    assert (event.lat, event.lon) == (LANG_SON["lat"], LANG_SON["lon"])
    assert event.photo.name.startswith("plates/") and Image.open(event.photo.path).size == (40, 30)
    assert event.done_by == "Đội lắp đặt phường Lương Văn Tri"
    assert event.notes == "Cột đèn số 12" and event.recorded_by == staff


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        ([], S.PRINTED),
        ([], S.INSTALLED),
        ([S.ARTWORK_APPROVED], S.INSTALLED),
        ([S.ARTWORK_APPROVED, S.PRINTED], S.ARTWORK_APPROVED),
        ([S.RETIRED], S.ARTWORK_APPROVED),
        ([S.RETIRED], S.PLANNED),
    ],
)
def test_steps_out_of_order_are_refused_with_the_possible_ones_named(plate, steps, refused):
    for step in steps:
        plate_transition(plate=plate, status=step)
    with pytest.raises(ValidationError) as error, translation.override("en"):
        plate_transition(plate=plate, status=refused, **LANG_SON)
    assert "cannot become" in " ".join(error.value.messages)
    assert plate.events.count() == 1 + len(steps)


def test_a_refusal_is_explained_in_vietnamese_to_vietnamese_editors(plate):
    with pytest.raises(ValidationError) as error:
        plate_transition(plate=plate, status=S.INSTALLED, **LANG_SON)
    assert "không thể chuyển sang “Đã gắn”" in error.value.messages[0]
    assert "Đã duyệt bản thiết kế" in error.value.messages[0]


def test_artwork_is_approved_only_once_the_page_is_published(street):
    draft = Street.objects.create(name_vi="Phố Chưa Xong", status=Status.DRAFT)
    plate = plate_mint(target=draft)
    with pytest.raises(ValidationError) as error:
        plate_transition(plate=plate, status=S.ARTWORK_APPROVED)
    assert error.value.code == "unpublished"
    draft.status = Status.PUBLISHED
    draft.save()
    plate_transition(plate=plate, status=S.ARTWORK_APPROVED)
    assert plate.status == S.ARTWORK_APPROVED


def test_an_installation_needs_coordinates_in_vietnam(plate):
    plate_transition(plate=plate, status=S.ARTWORK_APPROVED)
    plate_transition(plate=plate, status=S.PRINTED)
    with pytest.raises(ValidationError) as missing:
        plate_transition(plate=plate, status=S.INSTALLED)
    assert missing.value.code == "position"
    with pytest.raises(ValidationError) as swapped:
        plate_transition(plate=plate, status=S.INSTALLED, lat=106.76, lon=21.85)
    assert swapped.value.code == "outside"
    with pytest.raises(ValidationError):
        plate_transition(plate=plate, status=S.INSTALLED, lat=21.85, lon=None)
    assert Plate.objects.get(pk=plate.pk).status == S.PRINTED


def test_a_step_cannot_be_dated_in_the_future_or_before_the_previous_one(plate):
    with pytest.raises(ValidationError) as future:
        plate_transition(plate=plate, status=S.ARTWORK_APPROVED, on=day(-1))
    assert future.value.code == "future"
    with pytest.raises(ValidationError) as backwards:
        plate_transition(plate=plate, status=S.ARTWORK_APPROVED, on=day(3))
    assert backwards.value.code == "order"


def test_an_oversized_photo_is_refused_and_nothing_is_recorded(plate):
    plate_transition(plate=plate, status=S.ARTWORK_APPROVED)
    plate_transition(plate=plate, status=S.PRINTED)
    big = photo()
    big.size = MAX_PHOTO_BYTES + 1
    with pytest.raises(ValidationError) as error:
        plate_transition(plate=plate, status=S.INSTALLED, photo=big, **LANG_SON)
    assert "giới hạn là 10 MB" in " ".join(error.value.messages)
    assert Plate.objects.get(pk=plate.pk).status == S.PRINTED
    assert plate.events.count() == 3


def test_lead_times_are_queryable(street, relic):
    slow, quick = walk(plate_mint(target=street), start=100), walk(plate_mint(target=relic))
    unfinished = plate_mint(target=street)
    plates = {p.pk: p for p in Plate.objects.with_durations()}
    assert plates[slow.pk].content_time == datetime.timedelta(days=20)
    assert plates[slow.pk].attach_time == datetime.timedelta(days=5)
    assert plates[quick.pk].planned_on == day(60) and plates[quick.pk].installed_on == day(25)
    assert plates[unfinished.pk].content_time is None and plates[unfinished.pk].attach_time is None
    # Slow attachments, found by filtering on the lead time itself.
    PlateEvent.objects.filter(plate=quick, to_status=S.INSTALLED).update(on=day(10))
    slow_to_attach = Plate.objects.with_durations().filter(
        attach_time__gt=datetime.timedelta(days=10)
    )
    assert list(slow_to_attach) == [quick]
    summary = Plate.objects.duration_summary()
    assert summary["content_avg"] == datetime.timedelta(days=20)
    assert summary["attach_max"] == datetime.timedelta(days=20)
    assert summary["attach_count"] == 2


def test_lead_times_count_from_the_first_time_a_stage_was_reached(street):
    plate = walk(plate_mint(target=street))
    plate_transition(plate=plate, status=S.DAMAGED, on=day(20))
    plate_transition(plate=plate, status=S.INSTALLED, on=day(10), **LANG_SON)  # repaired
    timed = Plate.objects.with_durations().get(pk=plate.pk)
    assert timed.attach_time == datetime.timedelta(days=5)


def test_a_plate_is_never_deleted(plate, street):
    with pytest.raises(TypeError):
        plate.delete()
    with pytest.raises(TypeError):
        Plate.objects.all().delete()
    with pytest.raises(ProtectedError):
        street.delete()
    assert Plate.objects.filter(code=plate.code).exists()


def test_a_code_never_changes(plate):
    plate.code = codes.new_code()
    with pytest.raises(ValueError, match="never changes"):
        plate.save()


def test_a_retired_plates_code_is_never_minted_again(plate, street, monkeypatch):
    plate_transition(plate=plate, status=S.RETIRED)
    fresh = codes.new_code()
    drawn = iter([plate.code, plate.code, fresh])
    monkeypatch.setattr(services.codes, "new_code", lambda: next(drawn))
    again = plate_mint(target=street)
    assert again.code == fresh
    assert Plate.objects.get(code=plate.code).status == S.RETIRED


def test_minting_gives_up_loudly_when_no_code_is_free(plate, street, monkeypatch):
    monkeypatch.setattr(services.codes, "new_code", lambda: plate.code)
    with pytest.raises(services.MintError):
        plate_mint(target=street)
    assert Plate.objects.count() == 1


def test_a_retarget_changes_where_the_code_leads_never_the_code(client, plate, relic, staff):
    code = plate.code
    plate_retarget(plate=plate, target=relic, by=staff, notes="Biển đặt nhầm chỗ")
    plate.refresh_from_db()
    assert plate.code == code and plate.owner == relic and plate.status == S.PLANNED
    event = plate.events.last()
    assert "Phố Tông Đản → Đền Kỳ Cùng" in event.notes and "Biển đặt nhầm chỗ" in event.notes
    assert "<h1>Đền Kỳ Cùng</h1>" in client.get(f"/Q/{code}").content.decode()


def test_only_places_and_people_carry_plates(street):
    with pytest.raises(TypeError):
        plate_mint(target=street.unit)
    with pytest.raises(TypeError):
        plate_mint(target=Street(name_vi="Chưa lưu"))
