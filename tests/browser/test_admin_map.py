"""The admin's map for placing a point, in a real browser, with the tile server unreachable (as
on a plane, or behind a firewall): our communes' outlines still tell the editor where the point
falls, clicking fills the coordinates, typing moves the point, and the page meets its
Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_csp import Watcher, log_in, superuser  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_places_a_point_without_tiles(site, phone, superuser, screenshot):  # noqa: F811
    from sites.models import AdminUnit, ScenicSpot

    watcher = Watcher(phone)
    tiles = []
    phone.route("https://tile.openstreetmap.org/**", lambda route: (tiles.append(1), route.abort()))
    page = phone.new_page()
    log_in(page, site.url)
    cave = ScenicSpot.objects.get(slug="dong-nhi-thanh")
    page.goto(f"{site.url}/admin/sites/scenicspot/{cave.pk}/change/")
    status = page.locator("#place-map-unit")
    expect(status).to_contain_text("Phường Tam Thanh")
    assert page.locator("#place-map path.leaflet-interactive:not(.place-point)").count() == 65
    expect(page.locator("#place-map path.place-point")).to_have_count(1)
    assert tiles, "the tiles were asked for (and refused)"
    screenshot(page, "admin-place-map")

    # Typing coordinates moves the point: Mẫu Sơn's summit, which our data puts in the same
    # commune as the server's check does.
    page.fill("#id_lat", "21.877111")
    page.fill("#id_lon", "107.0042611")
    expect(status).to_contain_text(AdminUnit.objects.containing(21.877111, 107.0042611).name)

    # Clicking the map places the point there and fills the boxes.
    page.locator("#place-map").click(position={"x": 150, "y": 250})
    assert page.input_value("#id_lat") != "21.877111"
    assert len(page.input_value("#id_lat").split(".")[1]) == 6
    watcher.page_done(page)
    assert watcher.problems == []
