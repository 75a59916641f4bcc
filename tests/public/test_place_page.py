"""What a visitor reads on a place page, in both languages."""

import json
import re

import pytest
from django.templatetags.static import static
from django.utils import translation
from django.utils.html import escape

from lib import geo
from sites.models import (
    AdminUnit,
    FormerName,
    Person,
    PersonLink,
    Relic,
    ScenicSpot,
    Source,
    Status,
    Street,
)

pytestmark = pytest.mark.django_db

PUBLISHED = Status.PUBLISHED


def page(client, record, language: str = "vi") -> str:
    with translation.override(language):
        url = record.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def jsonld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


@pytest.fixture
def unit():
    return AdminUnit.objects.get(slug="phuong-tam-thanh")


@pytest.fixture
def thu():
    return Person.objects.create(
        name_vi="Hoàng Văn Thụ",
        role_vi="Nhà cách mạng",
        role_en="Revolutionary",
        biography_vi="Tiểu sử.",
        biography_en="Biography.",
        birth_year=1909,
        death_year=1944,
        status=PUBLISHED,
    )


def test_the_name_in_the_other_language_is_a_subtitle_marked_with_its_language(client, unit):
    cave = ScenicSpot.objects.create(
        name_vi="Động Tam Thanh", name_en="Tam Thanh Cave", unit=unit, status=PUBLISHED
    )
    english = page(client, cave, "en")
    assert "<h1>Tam Thanh Cave</h1>" in english
    assert '<p class="subtitle" lang="vi">Động Tam Thanh</p>' in english
    vietnamese = page(client, cave, "vi")
    assert "<h1>Động Tam Thanh</h1>" in vietnamese
    assert '<p class="subtitle" lang="en">Tam Thanh Cave</p>' in vietnamese


def test_people_are_listed_with_their_years_role_and_a_link(client, unit, thu):
    relic = Relic.objects.create(name_vi="Đền Kỳ Cùng", unit=unit, status=PUBLISHED)
    PersonLink.objects.create(
        person=thu,
        place=relic,
        role=PersonLink.Role.LIVED_WORKED,
        year_from=1939,
        year_to=1941,
        note_en="Held meetings here",
    )
    html = page(client, relic, "en")
    assert '<a href="/en/people/hoang-van-thu/">Hoàng Văn Thụ</a>' in html
    assert "(1909 – 1944)" in html
    assert "Lived or worked here, 1939–1941" in html
    assert "Held meetings here" in html


def test_a_street_names_its_namesake_and_the_other_streets_named_after_them(client, unit, thu):
    street = Street.objects.create(
        name_vi="Đường Hoàng Văn Thụ", named_after=thu, unit=unit, status=PUBLISHED
    )
    other = Street.objects.create(
        name_vi="Phố Hoàng Văn Thụ",
        name_en="Hoang Van Thu Street",
        named_after=thu,
        status=PUBLISHED,
    )
    Street.objects.create(name_vi="Ngõ Hoàng Văn Thụ", named_after=thu, status=Status.DRAFT)
    html = page(client, street, "en")
    assert "Other streets named after Hoàng Văn Thụ" in html
    assert f'<a href="/en/streets/{other.slug}/">Hoang Van Thu Street</a>' in html
    assert "Ngõ Hoàng Văn Thụ" not in html
    assert "The street is named after this person." in html


def test_a_relic_lists_the_streets_named_after_its_people(client, unit, thu):
    relic = Relic.objects.create(name_vi="Đền Kỳ Cùng", unit=unit, status=PUBLISHED)
    PersonLink.objects.create(person=thu, place=relic, role=PersonLink.Role.HONOURED_HERE)
    Street.objects.create(name_vi="Đường Hoàng Văn Thụ", named_after=thu, status=PUBLISHED)
    html = page(client, relic, "en")
    assert "Streets named after these people" in html
    assert "Named after Hoàng Văn Thụ" in html


def test_nearby_places_show_their_distance_in_metres(client, demo):
    cave = ScenicSpot.objects.get(slug="dong-nhi-thanh")
    hill = ScenicSpot.objects.get(slug="nui-to-thi")
    metres = round(geo.distance_m(cave.lat, cave.lon, hill.lat, hill.lon))
    assert 1000 < metres < 3000
    html = page(client, cave, "en")
    nearby = html.split("<h2>Nearby</h2>", 1)[1].split("</ul>", 1)[0]
    assert "/en/scenic-spots/nui-to-thi/" in nearby
    assert f"{metres:,}\xa0m" in nearby
    vietnamese = page(client, cave, "vi").split("<h2>Địa điểm lân cận</h2>", 1)[1]
    assert f"{metres:,}\xa0m".replace(",", ".") in vietnamese


def test_a_place_without_coordinates_offers_its_commune_or_ward_instead(client, demo):
    street = Street.objects.get(slug="pho-mai-the-chuan")
    html = page(client, street, "en")
    assert "<h2>Nearby</h2>" not in html
    assert "<h2>Also in Lương Văn Tri Ward</h2>" in html
    assert "Distances are shown only between places whose map position is known." in html
    assert "/en/relics/thanh-co-lang-son/" in html


def test_directions_are_offered_only_with_coordinates(client, demo):
    cave = ScenicSpot.objects.get(slug="dong-nhi-thanh")
    html = page(client, cave, "en")
    assert 'href="geo:21.851623,106.751777?q=21.851623,106.751777(Nh' in html
    assert "https://www.openstreetmap.org/?mlat=21.851623&amp;mlon=106.751777" in html
    street_html = page(client, Street.objects.get(slug="pho-mai-the-chuan"), "en")
    assert "geo:" not in street_html
    assert "openstreetmap" not in street_html


def test_sources_and_the_naming_resolution_are_cited(client, demo):
    street = Street.objects.get(slug="pho-mai-the-chuan")
    html = page(client, street, "vi")
    sources = html.split("<h2>Nguồn tư liệu</h2>", 1)[1]
    assert "Nghị quyết 27/2002/NQ-HĐNDKXIII" in sources
    assert "28 tháng 1 năm 2002" in sources
    assert sources.count("<li>") == 1 + street.sources.citable().count()


def test_a_page_lists_only_citable_sources_and_staff_keep_the_others(client, demo, admin_client):
    """A blog, a travel agency or a web proxy read for the facts is never cited on a public page
    nor in the public API; staff see it in the API, for provenance."""
    citadel = Relic.objects.get(slug="thanh-co-lang-son")
    hidden = citadel.sources.filter(citable=False)
    assert hidden.exists() and citadel.sources.citable().exists()
    html = page(client, citadel, "en").split("<h2>Sources</h2>", 1)[1]
    for source in citadel.sources.all():
        assert (f'href="{escape(source.url)}"' in html) == source.citable, source.url
    public = client.get(f"/api/v1/places/{citadel.pk}/").json()["sources"]
    assert len(public) == citadel.sources.citable().count()
    assert all(source["citable"] for source in public)
    staff = admin_client.get(f"/api/v1/places/{citadel.pk}/").json()["sources"]
    assert len(staff) == citadel.sources.count()


def test_visiting_information_and_ranking_are_shown(client, unit):
    relic = Relic.objects.create(
        name_vi="Đền Tả Phủ",
        name_en="Tả Phủ Temple",
        ranking=Relic.Ranking.NATIONAL,
        ranking_year=1994,
        opening_hours_vi="7:00–17:00",
        opening_hours_en="7 am – 5 pm",
        fees_vi="Miễn phí",
        visiting_notes_vi="Ăn mặc kín đáo.",
        unit=unit,
        status=PUBLISHED,
    )
    html = page(client, relic, "en")
    assert "<h2>Visiting</h2>" in html
    assert "7 am – 5 pm" in html
    # The fees have no English text yet: the Vietnamese is shown, marked as Vietnamese.
    assert '<dd lang="vi">Miễn phí</dd>' in html
    assert 'lang="vi"><p>Ăn mặc kín đáo.</p>' in html
    assert "National (1994)" in html


def test_a_missing_translation_shows_the_vietnamese_text_marked_and_with_a_note(client, unit):
    street = Street.objects.create(
        name_vi="Phố Tông Đản",
        summary_vi="Phố mang tên Tông Đản.",
        body_vi="Lịch sử của phố.",
        unit=unit,
        status=PUBLISHED,
    )
    html = page(client, street, "en")
    assert "The English translation of this page is on its way" in html
    assert '<p class="lead" lang="vi">Phố mang tên Tông Đản.</p>' in html
    assert '<div class="text" lang="vi"><p>Lịch sử của phố.</p></div>' in html
    assert '<html lang="en"' in html


def test_no_section_is_ever_empty(client):
    street = Street.objects.create(name_vi="Ngõ Trống", status=PUBLISHED)
    html = page(client, street, "en")
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    # Only the share box: no history, people, photos, sources or nearby headings without content.
    assert headings == ["Share"]


def test_former_names_of_a_street_are_listed(client):
    street = Street.objects.create(name_vi="Phố Cửa Nam", status=PUBLISHED)
    FormerName.objects.create(street=street, name="Phố Tam Kỳ", until_year=1945)
    html = page(client, street, "en")
    assert "<h2>Former names</h2>" in html
    assert "Phố Tam Kỳ" in html
    assert "until 1945" in html


def test_unpublished_people_and_places_never_appear_on_a_place_page(client, unit):
    draft = Person.objects.create(name_vi="Người Nháp", status=Status.REVIEW)
    street = Street.objects.create(
        name_vi="Phố Công Khai", named_after=draft, unit=unit, status=PUBLISHED
    )
    relic = Relic.objects.create(name_vi="Đền Công Khai", unit=unit, status=PUBLISHED)
    PersonLink.objects.create(person=draft, place=relic, role=PersonLink.Role.BORN_HERE)
    Street.objects.create(name_vi="Phố Bí Mật", unit=unit, status=Status.WITHDRAWN)
    for record in (street, relic):
        html = page(client, record, "vi")
        assert "Người Nháp" not in html
        assert "Phố Bí Mật" not in html


def test_photos_have_renditions_captions_credits_and_sizes(client, unit, make_photo):
    cave = ScenicSpot.objects.create(name_vi="Động Nhị Thanh", unit=unit, status=PUBLISHED)
    first = make_photo(cave, caption="Cửa động", credit="Sở VHTTDL")
    second = make_photo(cave, caption="", credit="", position=2)
    html = page(client, cave, "vi")
    picture = first.picture
    assert f'srcset="{picture.webp_srcset}"' in html
    assert 'type="image/webp"' in html
    assert 'width="1024" height="640"' in html
    assert 'alt="Cửa động" fetchpriority="high"' in html
    assert "<small>© Sở VHTTDL</small>" in html
    # Photos below the first load lazily; one without a caption is described by the place name.
    second_tag = html.split(second.picture.webp_srcset, 1)[1].split("</picture>", 1)[0]
    assert 'alt="Động Nhị Thanh" loading="lazy"' in second_tag
    assert "<h2>Ảnh</h2>" in html


def test_share_links_and_opengraph_tags_name_the_public_address(client, settings, unit, make_photo):
    settings.PUBLIC_BASE_URL = "https://qr.langson.gov.vn"
    cave = ScenicSpot.objects.create(
        name_vi="Động Tam Thanh",
        name_en="Tam Thanh Cave",
        summary_en="A cave.",
        unit=unit,
        status=PUBLISHED,
    )
    html = page(client, cave, "en")
    url = "https://qr.langson.gov.vn/en/scenic-spots/dong-tam-thanh/"
    encoded = "https%3A%2F%2Fqr.langson.gov.vn%2Fen%2Fscenic-spots%2Fdong-tam-thanh%2F"
    assert f'href="https://www.facebook.com/sharer/sharer.php?u={encoded}"' in html
    assert f'href="https://sp.zalo.me/share?url={encoded}"' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:title" content="Tam Thanh Cave">' in html
    assert '<meta property="og:description" content="A cave.">' in html
    assert (
        f'<meta property="og:image" content="https://qr.langson.gov.vn{static("img/share.png")}">'
        in html
    )
    make_photo(cave, caption="Lối vào")
    html = page(client, cave, "en")
    share = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert share.startswith("https://qr.langson.gov.vn/media/renditions/")
    assert share.endswith("/1024.jpg")


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (Relic, ["LandmarksOrHistoricalBuildings", "TouristAttraction"]),
        (ScenicSpot, "TouristAttraction"),
        (Street, "Place"),
    ],
)
def test_structured_data_describes_the_place(client, unit, model, expected):
    place = model.objects.create(
        name_vi="Nơi Thử",
        name_en="Test Place",
        summary_en="Summary.",
        unit=unit,
        status=PUBLISHED,
    )
    data = jsonld(page(client, place, "en"))
    assert data["@type"] == expected
    assert data["name"] == "Test Place"
    assert data["alternateName"] == "Nơi Thử"
    assert data["description"] == "Summary."
    with translation.override("en"):
        assert data["address"]["addressLocality"] == unit.name


def test_structured_data_cannot_be_broken_out_of(client, unit):
    hostile = "Phố </script><script>alert(1)</script>"
    place = Street.objects.create(name_vi="Phố", status=PUBLISHED)
    # Saving strips markup (lib.text.strip_markup); text stored otherwise is escaped still.
    Street.objects.filter(pk=place.pk).update(name_vi=hostile)
    place.refresh_from_db()
    html = page(client, place, "vi")
    head = html.split("</head>", 1)[0]
    assert "<script>alert(1)" not in head
    assert jsonld(html)["name"] == hostile


def test_a_source_without_address_is_cited_as_text(client):
    street = Street.objects.create(name_vi="Phố Sách", status=PUBLISHED)
    Source.objects.create(place=street, title="Địa chí Lạng Sơn (1999), tr. 12")
    html = page(client, street, "vi")
    assert "<li>Địa chí Lạng Sơn (1999), tr. 12</li>" in html
