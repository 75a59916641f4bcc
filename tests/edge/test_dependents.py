"""Which pages and scan answers show a record (edge.dependents): the rule static mode refreshes
files by, and the page cache can make copies stale by."""

import pytest

from edge.dependents import dependents
from qrplates.services import plate_mint
from sites.models import AdminUnit, Person, Place, Status, Street

pytestmark = pytest.mark.django_db


def test_a_place_moved_and_renamed_after_someone_else_stays_off_its_old_pages(demo):
    street = Street.objects.published().exclude(named_after=None).exclude(unit=None).first()
    old_unit, old_namesake = street.unit, street.named_after
    new_unit = AdminUnit.objects.communes().exclude(pk=old_unit.pk).first()
    new_namesake = Person.objects.published().exclude(pk=old_namesake.pk).first()
    street.unit, street.named_after = new_unit, new_namesake
    street.save()
    found = dependents([street])
    for page in (old_unit, new_unit, old_namesake, new_namesake):
        assert page.get_absolute_url() in found.pages
    assert f"/en/units/{old_unit.slug}/offline.json" in found.pages


def test_a_persons_dependents_bring_the_plates_of_the_streets_named_after_them(demo):
    person = Person.objects.published().filter(streets_named_after__isnull=False).first()
    street = person.streets_named_after.first()
    plate = plate_mint(target=street)
    merged = Place.objects.published().exclude(pk=street.pk).first()
    merged.status, merged.merged_into = Status.WITHDRAWN, street
    merged.save()
    merged_plate = plate_mint(target=merged)  # a scan of it lands on the street
    found = dependents([person])
    assert {plate.pk, merged_plate.pk} <= set(found.plates)
    assert (plate.code, "vi") in found.scans() and (plate.code, "en") in found.scans()
    assert street.get_absolute_url().replace("/vi/", "/en/") in found.pages


def test_rows_no_page_shows_add_nothing(demo, django_user_model):
    user = django_user_model.objects.create_user("khach")
    found = dependents([user])
    assert not found.pages and not found.plates


def test_a_walking_route_shows_on_its_page_its_stops_and_its_panels(demo):
    from sites.models import Route

    route = Route.objects.get(external_id="demo:route:tam-thanh")
    start = route.stops.order_by("position").first().place
    panel = plate_mint(target=start)
    panel.route = route
    panel.save()
    for changed in (route, route.stops.first()):
        found = dependents([changed])
        assert route.get_absolute_url() in found.pages
        assert route.get_absolute_url().replace("/vi/", "/en/") in found.pages
        assert start.get_absolute_url() in found.pages
        assert "/vi/units/phuong-tam-thanh/offline.json" in found.pages
        assert panel.pk in found.plates
    # A stop renamed: the route's page lists it by name.
    assert route.get_absolute_url() in dependents([start]).pages
