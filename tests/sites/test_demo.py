import io
import json
import re
import unicodedata

import pytest
from django.core.management import call_command

from lib import languages
from lib.text import slugify_vi
from sites.demo import CONTENT_FILE, FACTS_FILE, drafts_file
from sites.models import (
    Person,
    PersonLink,
    Place,
    Relic,
    Route,
    ScenicSpot,
    Source,
    Street,
    TextState,
)

pytestmark = pytest.mark.django_db

FACTS = json.loads(FACTS_FILE.read_text(encoding="utf-8"))


def snapshot() -> dict:
    return {
        model.__name__: sorted(model.objects.values_list("pk", "updated_at"))
        if hasattr(model, "updated_at")
        else sorted(model.objects.values_list("pk", flat=True))
        for model in (Place, Person, PersonLink, Source)
    }


def test_demo_has_enough_real_records_in_every_language(demo):
    assert Street.objects.count() >= 20
    assert Relic.objects.count() + ScenicSpot.objects.count() >= 10
    assert Person.objects.count() >= 10
    for record in [*Place.objects.all(), *Person.objects.all()]:
        assert record.name_vi and record.name_en and record.name_zh_hans, record
        assert record.missing_languages() == [], record
        assert record.sources.exists(), record
    assert not demo.skipped


def test_loading_the_demo_twice_changes_nothing(demo):
    before = snapshot()
    call_command("load_demo", "--no-user", stdout=io.StringIO())
    assert snapshot() == before


def test_demo_text_is_nfc(demo):
    for place in Place.objects.all():
        for field in ("name", "summary", "body"):
            for suffix in languages.suffixes():
                assert unicodedata.is_normalized("NFC", getattr(place, f"{field}_{suffix}"))


def test_demo_invents_no_coordinates_or_years(demo):
    given = [
        (fact["coordinates"]["lat"], fact["coordinates"]["lon"])
        for fact in FACTS["sites"]
        if fact.get("coordinates")
    ]
    given += [(fact["lat"], fact["lon"]) for fact in FACTS["more_sites"] if fact.get("lat")]
    given += [
        (fact["points"][0]["lat"], fact["points"][0]["lon"])
        for fact in FACTS["streets"]
        if fact.get("points")
    ]
    # 6 of the 15 sites, 1 of the 15 further relics, 2 of the 22 streets (Nhị Thanh street's
    # point is the cave's address).
    assert len(given) == 9
    assert sorted(Place.objects.with_coordinates().values_list("lat", "lon")) == sorted(given)
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


def test_the_demos_chinese_is_labelled_a_machine_translated_draft(demo, client):
    for record in [*Place.objects.all(), *Person.objects.all()]:
        assert record.translation_states == {"zh-hans": TextState.MACHINE}, record
    relic = Relic.objects.get(name_vi="Ải Chi Lăng")
    page = client.get(relic.get_absolute_url().replace("/vi/", "/zh-hans/", 1))
    html = page.content.decode()
    assert "Chi Lăng 关隘" in html
    assert "本文由机器翻译，尚未经过核对，可能有错误。" in html
    assert '<html lang="zh-hans">' in html and 'content="zh_CN"' in html
    for code in ("vi", "en", "zh-hans"):
        assert f'hreflang="{code}" href="' in html and f"/{code}/relics/ai-chi-lang/" in html
    english = client.get(relic.get_absolute_url().replace("/vi/", "/en/", 1)).content.decode()
    assert "translated by machine" not in english


def test_the_demo_routes_chinese_is_labelled_a_machine_translated_draft(demo, client):
    route = Route.objects.get(external_id="demo:route:tam-thanh")
    assert route.translation_states == {"zh-hans": TextState.MACHINE}
    url = route.get_absolute_url()
    chinese = client.get(url.replace("/vi/", "/zh-hans/", 1)).content.decode()
    assert "Tam Thanh 步行游" in chinese
    assert "本文由机器翻译，尚未经过核对，可能有错误。" in chinese
    english = client.get(url.replace("/vi/", "/en/", 1)).content.decode()
    assert "A walk in Tam Thanh" in english and "translated by machine" not in english


def numbers(text: str) -> set[int]:
    """The numbers a text states, "1.541" and "1,541" read as 1541."""
    return {int(n) for n in re.findall(r"\d+", re.sub(r"(?<=\d)[.,](?=\d{3}\b)", "", text))}


def names(text: str) -> set[str]:
    """The words a Chinese text keeps in Latin script: places and people, as in Vietnamese."""
    return {
        word.lower() for word in re.findall(r"[^\W\d_]+", re.sub(r"[\u2e80-\uffff]", " ", text))
    }


def test_the_chinese_drafts_state_no_number_or_name_the_vietnamese_lacks():
    content = json.loads(CONTENT_FILE.read_text(encoding="utf-8"))
    drafts = json.loads(drafts_file(languages.get("zh-hans")).read_text(encoding="utf-8"))
    added = []
    for section in ("sites", "more_sites", "streets", "people", "routes"):
        for key, texts in drafts[section].items():
            entry = content[section][key]
            vietnamese = json.dumps(entry, ensure_ascii=False).lower()
            pairs = [
                (text, entry[name.replace("_zh_hans", "_vi")])
                for name, text in texts.items()
                if name != "links"
            ]
            pairs += [
                (link["note_zh_hans"], f"{own['note_vi']} {own['year_from']} {own['year_to']}")
                for link, own in zip(texts.get("links", []), entry.get("links", []), strict=True)
            ]
            for chinese, own in pairs:
                added += [(key, n) for n in numbers(chinese) - numbers(own)]
                added += [(key, w) for w in names(chinese) if w not in vietnamese]
    assert added == []


def test_the_further_national_relics_keep_only_what_the_sheet_gives(demo):
    assert Place.objects.exclude(kind=Place.Kind.STREET).count() == 30
    fort = Relic.objects.get(name_vi="Pháo đài Đồng Đăng")
    assert fort.ranking == Relic.Ranking.NATIONAL and fort.ranking_year == 2024
    assert fort.decision_number == "4313/QĐ-BVHTTDL"
    assert fort.decision_date.isoformat() == "2024-12-31"
    assert not fort.has_coordinates
    # "Announced 23/11/2013" is neither a decision number nor a decision date.
    east_gate = Relic.objects.get(name_vi="Đền Cửa Đông")
    assert east_gate.ranking_year == 2013
    assert (east_gate.decision_number, east_gate.decision_date, east_gate.unit) == ("", None, None)
    cave = Relic.objects.get(name_vi="Hang Lạng Nắc")
    assert (cave.lat, cave.lon) == (21.691667, 106.603056)
    assert cave.unit.name == "Xã Nhân Lý"


def test_only_sources_the_sheet_calls_citable_are_citable(demo):
    quality = FACTS["meta"]["source_quality"]
    research = {host for host, verdict in quality.items() if not verdict.startswith("citable")}
    for source in Source.objects.all():
        if source.title in research or source.title.removeprefix("www.") in research:
            assert not source.citable, source.url
    # The pirated-PDF site and the web proxy are kept for provenance, never cited.
    assert not Source.objects.citable().filter(url__contains="taisachpdfmienphi").exists()
    assert not Source.objects.citable().filter(url__contains="rp.liu233w.com").exists()
    assert Source.objects.filter(citable=False).exists()
    # A site the sheet does not class is not citable either.
    assert not Source.objects.citable().filter(url__contains="danviet.vn").exists()
    assert Source.objects.citable().filter(url__contains="github.com/jduckeck/showcaves.com")
