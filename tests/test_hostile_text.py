"""A hostile string in every text field of every content model (found by walking the models'
fields, so a new field is covered without touching this test) and a javascript: address in every
URL field: saved through the models it is stored without markup; put into the database directly
it is shown escaped on every public page, in the API and in the admin, and never becomes a
script, an element or a live javascript: link."""

import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from qrplates.services import plate_mint
from sites.models import (
    AdminUnit,
    FormerName,
    NormalizedTextModel,
    Person,
    PersonLink,
    Relic,
    ScenicSpot,
    Source,
    Status,
    Street,
    is_free_text,
)

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)> Đường Trần Hưng Đạo"
JAVASCRIPT_URL = "javascript:alert(document.cookie)"
# What must never reach a page unescaped.
LIVE = (
    "<script>alert(1)",
    "<img src=x onerror",
    "onerror=alert(1)>",
    'href="javascript:',
    "href='javascript:",
    'src="javascript:',
)
PUBLISHED = Status.PUBLISHED


def content_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_app_config("sites").get_models()
        if issubclass(model, NormalizedTextModel)
    ]


def text_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields people type text into (not identifiers, slugs or choices), each counted on
    the model that declares it (a street's name is Place's)."""
    return [
        field
        for field in model._meta.local_concrete_fields
        if field.editable and not field.unique and is_free_text(field)
    ]


def url_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.local_concrete_fields if isinstance(f, models.URLField)]


def hostile_for(field: models.Field, n: int) -> str:
    value = f"{HOSTILE} #{n}"
    return value[: field.max_length] if field.max_length else value


@pytest.fixture
def world(make_photo) -> dict:
    """One published record of every kind, each with everything that can hang off it."""
    unit = AdminUnit.objects.get(code="05986")
    person = Person.objects.create(name_vi="Người Thử", birth_year=1900, status=PUBLISHED)
    street = Street.objects.create(
        name_vi="Phố Thử", unit=unit, named_after=person, status=PUBLISHED
    )
    relic = Relic.objects.create(name_vi="Đền Thử", unit=unit, status=PUBLISHED)
    spot = ScenicSpot.objects.create(name_vi="Động Thử", unit=unit, status=PUBLISHED)
    FormerName.objects.create(street=street, name="Phố Cũ", note="Ghi chú")
    for owner in (street, relic, spot, person):
        relation = {"person": owner} if owner is person else {"place": owner}
        Source.objects.create(**relation, title="Nguồn", url="https://example.org/", note="x")
        make_photo(owner, caption="Ảnh", credit="Tác giả", width=400)
    for place in (street, relic, spot):
        PersonLink.objects.create(
            person=person, place=place, role=PersonLink.Role.NAMED_AFTER, note="Ghi chú"
        )
    plate = plate_mint(target=street)
    return {
        "unit": unit,
        "person": person,
        "places": [street, relic, spot],
        "plate": plate,
    }


def fill_with_hostile_text(*, bypass_save: bool) -> dict[tuple[str, str], list[str]]:
    """Every text field of every content row gets the hostile string (numbered per row, for
    unique constraints), every URL field a javascript: address. Returns the values written."""
    written: dict[tuple[str, str], list[str]] = {}
    n = 0
    for model in content_models():
        fields = text_fields(model)
        if not fields:
            continue
        for row in model._base_manager.all() if model is not AdminUnit else [_unit()]:
            n += 1
            values = {}
            for field in fields:
                value = hostile_for(field, n)
                try:
                    field.run_validators(value)
                except ValidationError:
                    continue  # a format this text cannot have (nothing can store it)
                values[field.attname] = value
            for field in url_fields(model):
                values[field.attname] = JAVASCRIPT_URL
            if bypass_save:
                model._base_manager.filter(pk=row.pk).update(**values)
            else:
                for name, value in values.items():
                    setattr(row, name, value)
                row.save()
            for name, value in values.items():
                written.setdefault((model.__name__, name), []).append(value)
    return written


def _unit() -> AdminUnit:
    return AdminUnit.objects.get(code="05986")


def public_pages(client, world) -> dict[str, str]:
    pages = {}
    for language in ("vi", "en"):
        with translation.override(language):
            urls = [
                *(place.get_absolute_url() for place in world["places"]),
                world["person"].get_absolute_url(),
                world["unit"].get_absolute_url(),
                reverse("sites:search") + "?q=thu",
                reverse("sites:home"),
                reverse("sites:kind", args=["relics"]),
                reverse("workflow:report", args=["place", world["places"][0].pk]),
            ]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            pages[url] = response.content.decode()
    scan = client.get(f"/Q/{world['plate'].code}")
    assert scan.status_code == 200
    pages["scan"] = scan.content.decode()
    return pages


def admin_pages(staff_client, world) -> dict[str, str]:
    pages = {}
    records = [*world["places"], world["person"], world["unit"]]
    for record in records:
        meta = record._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk])
        response = staff_client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
        if meta.model_name != "adminunit" and meta.model_name != "person":
            review = staff_client.get(
                reverse(f"admin:{meta.app_label}_{meta.model_name}_review", args=[record.pk])
            )
            pages[f"review {record}"] = review.content.decode()
    listing = staff_client.get(reverse("admin:sites_street_changelist"))
    pages["street list"] = listing.content.decode()
    return pages


def assert_nothing_live(pages: dict[str, str]) -> None:
    for where, body in pages.items():
        for raw in LIVE:
            assert raw not in body, (where, raw, body[max(0, body.find(raw) - 300) :][:600])


def api_answers(client, world) -> dict[str, object]:
    answers = {}
    urls = [
        *(f"/api/v1/places/{place.pk}/?lang=all" for place in world["places"]),
        f"/api/v1/people/{world['person'].pk}/?lang=all",
        f"/api/v1/units/{world['unit'].code}/?lang=all",
        "/api/v1/places/?lang=all",
        "/api/v1/plates/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:500])
        assert response["Content-Type"].startswith("application/json")
        assert response["X-Content-Type-Options"] == "nosniff"
        answers[url] = response.json()
    for fmt, mime in (("csv", "text/csv"), ("geojson", "application/geo+json")):
        response = client.get(f"/api/v1/places/?format={fmt}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith(mime)
        assert response["X-Content-Type-Options"] == "nosniff"
        answers[fmt] = b"".join(response).decode("utf-8-sig")
    return answers


def strings_in(answer: object) -> list[str]:
    if isinstance(answer, str):
        return [answer]
    if isinstance(answer, dict):
        return [s for value in answer.values() for s in strings_in(value)]
    if isinstance(answer, list):
        return [s for value in answer for s in strings_in(value)]
    return []


def test_every_content_model_has_text_fields_to_test():
    """The walk over the models finds what it should (a test of the test)."""
    names = {(model.__name__, f.name) for model in content_models() for f in text_fields(model)}
    for expected in [
        ("Place", "name_vi"),
        ("Place", "body_en"),
        ("Street", "naming_resolution"),
        ("Relic", "opening_hours_vi"),
        ("Person", "biography_en"),
        ("Person", "alt_names"),
        ("AdminUnit", "name"),
        ("FormerName", "note_vi"),
        ("PersonLink", "note_vi"),
        ("Source", "title"),
        ("Photo", "caption_en"),
    ]:
        assert expected in names
    assert ("Place", "slug") not in names and ("Place", "status") not in names
    assert [f.name for f in url_fields(Source)] == ["url"]


def test_saved_hostile_text_is_stored_without_markup(world):
    written = fill_with_hostile_text(bypass_save=False)
    street = Street.objects.get(pk=world["places"][0].pk)
    assert street.name_vi.startswith("\"'> Đường Trần Hưng Đạo")
    for model in content_models():
        for row in model._base_manager.all():
            for field in text_fields(model):
                value = getattr(row, field.attname)
                text = value or ""  # a language the unit's data migration did not fill
                assert "<script" not in text and "<img" not in text, (model, field.name)
    assert written  # something was written


def test_hostile_text_in_the_database_renders_escaped_everywhere(client, staff_client, world):
    written = fill_with_hostile_text(bypass_save=True)
    assert Street.objects.get(pk=world["places"][0].pk).name_vi.startswith("<script>")

    public = public_pages(client, world)
    assert_nothing_live(public)
    for where, body in public.items():
        assert escape("<script>alert(1)</script>") in body, where

    admin = admin_pages(staff_client, world)
    assert_nothing_live(admin)

    answers = api_answers(client, world)
    everything = [s for answer in answers.values() for s in strings_in(answer)]
    assert not any(JAVASCRIPT_URL in s for s in everything)
    assert any(s.startswith("<script>alert(1)</script>") for s in everything)  # as stored

    # Every value written shows somewhere, escaped (the admin shows every editable field).
    html = "\n".join([*public.values(), *admin.values()])
    data = json.dumps(answers, ensure_ascii=False)
    for (model, field), values in written.items():
        if field == "url":
            continue
        for value in values:
            assert escape(value) in html or json.dumps(value, ensure_ascii=False) in data, (
                model,
                field,
            )


def test_a_javascript_address_is_refused_by_the_admin(staff_client, admin_form_data, world):
    street = world["places"][0]
    url = reverse("admin:sites_street_change", args=[street.pk])
    page = staff_client.get(url).content.decode()
    assert 'name="sources-0-url"' in page
    data = admin_form_data(url, {})
    from tests.sites.test_uploads import current_values

    form = {**data, **current_values(page)}
    form.update(
        {
            "sources-0-id": str(Source.objects.get(place=street).pk),
            "sources-0-title": "Nguồn",
            "sources-0-url": JAVASCRIPT_URL,
        }
    )
    response = staff_client.post(url, form)
    assert response.status_code == 200
    assert "Nhập một URL hợp lệ." in response.content.decode()
    assert Source.objects.get(place=street).url == "https://example.org/"
