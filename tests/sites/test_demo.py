import io
import json
import unicodedata

import pytest
from django.core.management import call_command

from lib.text import slugify_vi
from sites.demo import FACTS_FILE
from sites.models import Person, PersonLink, Place, Relic, ScenicSpot, Source, Street

pytestmark = pytest.mark.django_db

FACTS = json.loads(FACTS_FILE.read_text(encoding="utf-8"))


def snapshot() -> dict:
    return {
        model.__name__: sorted(model.objects.values_list("pk", "updated_at"))
        if hasattr(model, "updated_at")
        else sorted(model.objects.values_list("pk", flat=True))
        for model in (Place, Person, PersonLink, Source)
    }


def test_demo_has_enough_real_records_in_both_languages(demo):
    assert Street.objects.count() >= 20
    assert Relic.objects.count() + ScenicSpot.objects.count() >= 10
    assert Person.objects.count() >= 10
    for record in [*Place.objects.all(), *Person.objects.all()]:
        assert record.name_vi and record.name_en, record
        assert record.missing_languages() == [], record
        assert record.sources.exists(), record
    assert not demo.skipped


def test_loading_the_demo_twice_changes_nothing(demo):
    before = snapshot()
    call_command("load_demo", "--no-user", stdout=io.StringIO())
    assert snapshot() == before


def test_demo_text_is_nfc(demo):
    for place in Place.objects.all():
        for field in ("name_vi", "name_en", "summary_vi", "summary_en", "body_vi", "body_en"):
            assert unicodedata.is_normalized("NFC", getattr(place, field))


def test_demo_invents_no_coordinates_or_years(demo):
    with_coordinates = {f["name_vi"] for f in FACTS["sites"] if f.get("coordinates")}
    assert Place.objects.with_coordinates().count() == len(with_coordinates) == 6
    facts = {f"demo:person:{slugify_vi(f['name_vi'])}": f for f in FACTS["people"]}
    for person in Person.objects.all():
        fact = facts[person.external_id]
        assert person.birth_year == (int(fact["born"][:4]) if fact.get("born") else None)
        assert person.death_year == (int(fact["died"][:4]) if fact.get("died") else None)


def test_people_are_linked_as_the_sources_link_them(demo):
    ngo_thi_si = Person.objects.get(name_vi="Ngô Thì Sĩ")
    discovered = PersonLink.objects.get(person=ngo_thi_si, place__slug__startswith="dong-nhi-thanh")
    assert discovered.role == PersonLink.Role.DISCOVERED
    assert discovered.year_from == 1779
    namesake = Person.objects.get(name_vi="Mai Thế Chuẩn")
    assert list(namesake.streets_named_after.values_list("name_vi", flat=True)) == [
        "Phố Mai Thế Chuẩn"
    ]
    street = Street.objects.get(name_vi="Phố Mai Thế Chuẩn")
    assert street.naming_resolution == "Nghị quyết 27/2002/NQ-HĐNDKXIII"
    assert street.naming_resolution_date.isoformat() == "2002-01-28"
