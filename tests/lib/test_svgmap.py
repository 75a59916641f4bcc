import gzip
import math
import re
import xml.etree.ElementTree as ET

import pytest

from lib import svgmap
from lib.geo import distance_m
from lib.svgmap import Line, Outline, Point, Projection, render

SVG = "{http://www.w3.org/2000/svg}"
NS = {"s": SVG[1:-1]}
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[106.70, 21.80], [106.80, 21.80], [106.80, 21.90], [106.70, 21.90], [106.70, 21.80]]
    ],
}


def box(west, south, east, north):
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_north_is_up_and_east_is_right():
    project = Projection((106.7, 21.8, 106.8, 21.9))
    x_west, y_south = project(106.7, 21.8)
    x_east, y_north = project(106.8, 21.9)
    assert x_east > x_west
    assert y_north < y_south


def test_a_square_on_the_ground_stays_square_on_the_map():
    # 0.1 degree of longitude is shorter than 0.1 degree of latitude at 21.85 degrees north.
    project = Projection((106.7, 21.8, 106.8, 21.9))
    x0, y0 = project.exact(106.7, 21.8)
    x1, _ = project.exact(106.8, 21.8)
    _, y1 = project.exact(106.7, 21.9)
    ground_ratio = distance_m(21.8, 106.7, 21.8, 106.8) / distance_m(21.8, 106.7, 21.9, 106.7)
    assert (x1 - x0) / (y0 - y1) == pytest.approx(ground_ratio, rel=0.01)


def test_everything_fits_inside_the_view_box():
    svg = render(
        title="t",
        desc="d",
        outlines=[Outline(SQUARE)],
        points=[Point(106.70, 21.80), Point(106.80, 21.90)],
    )
    root = parse(svg)
    _, _, width, height = map(int, root.get("viewBox").split())
    for circle in root.iter("{http://www.w3.org/2000/svg}circle"):
        assert 0 <= int(circle.get("cx")) <= width
        assert 0 <= int(circle.get("cy")) <= height


def test_title_and_description_are_announced_and_escaped():
    svg = render(title="Map of <Kỳ Lừa>", desc="3 places & a ward", points=[Point(106.7, 21.8)])
    root = parse(svg)
    assert root.get("role") == "img"
    title = root.find("s:title", NS)
    desc = root.find("s:desc", NS)
    assert title.text == "Map of <Kỳ Lừa>"
    assert desc.text == "3 places & a ward"
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")


def test_ids_can_be_made_unique_per_page():
    svg = render(title="t", desc="d", points=[Point(106.7, 21.8)], id_prefix="route-map")
    assert 'id="route-map-title"' in svg


def test_numbered_points_carry_their_number_title_and_link():
    svg = render(
        title="t",
        desc="d",
        points=[
            Point(106.75, 21.85, label="1", title="Chùa Tiên", href="/en/relic/chua-tien/"),
            Point(106.76, 21.86, label="2", title="Đền Kỳ Cùng"),
        ],
    )
    root = parse(svg)
    links = root.findall("s:a", NS)
    assert [a.get("href") for a in links] == ["/en/relic/chua-tien/"]
    assert links[0].find("s:title", NS).text == "Chùa Tiên"
    # An image may hold no focusable control: a map with links is a labelled group.
    assert root.get("role") == "group"
    assert [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text.isdigit()] == [
        "1",
        "2",
    ]


def test_each_outline_has_its_own_fill_for_a_choropleth():
    west = {
        "type": "Polygon",
        "coordinates": [[[106.70, 21.8], [106.75, 21.8], [106.75, 21.9], [106.70, 21.9]]],
    }
    east = {
        "type": "Polygon",
        "coordinates": [[[106.75, 21.8], [106.80, 21.8], [106.80, 21.9], [106.75, 21.9]]],
    }
    svg = render(
        title="t",
        desc="d",
        outlines=[
            Outline(west, fill="#fee", title="West"),
            Outline(east, fill="#e0f0e0", href="/vi/xa/east/"),
        ],
    )
    root = parse(svg)
    fills = [
        p.get("fill")
        for p in root.iter("{http://www.w3.org/2000/svg}path")
        if p.get("fill") not in ("none", "#111")
    ]
    assert fills == ["#fee", "#e0f0e0"]
    assert (
        "style=" not in svg
    )  # a strict CSP refuses style attributes; presentation attributes pass


def test_path_data_is_relative_integers_without_spare_separators():
    project = Projection((106.7, 21.8, 106.8, 21.9))
    data = svgmap.outline_path(SQUARE, project)
    assert re.fullmatch(r"M\d+ \d+l[-\d ]+z", data)
    assert " -" not in data
    # Four corners: a move and three steps back and forth, closed.
    assert len(re.findall(r"-?\d+", data)) == 2 + 3 * 2


def test_multipolygon_holes_and_specks():
    project = Projection((106.7, 21.8, 106.8, 21.9))
    speck = [[106.75, 21.85], [106.75001, 21.85], [106.75, 21.85001], [106.75, 21.85]]
    geometry = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"], [speck]]}
    assert svgmap.outline_path(geometry, project).count("M") == 1  # the sub-pixel islet is left out
    assert svgmap.outline_path({"type": "Point", "coordinates": [1, 2]}, project) == ""


def test_simplify_drops_points_on_a_straight_line_and_keeps_corners():
    points = [(0, 0), (5, 0), (10, 0), (10, 5), (10, 10)]
    assert svgmap.simplify(points, 0.5) == [(0, 0), (10, 0), (10, 10)]
    assert svgmap.simplify([(0, 0), (5, 1), (10, 0)], 0.5) == [(0, 0), (5, 1), (10, 0)]
    assert svgmap.simplify([(0, 0), (1, 1)], 5) == [(0, 0), (1, 1)]


def test_a_line_goes_through_its_points_in_order():
    svg = render(
        title="t",
        desc="d",
        lines=[Line([(106.70, 21.80), (106.80, 21.80), (106.80, 21.90)], title="Route")],
    )
    root = parse(svg)
    group = root.find("s:g", NS)
    assert group.find("s:title", NS).text == "Route"
    data = group.find("s:path", NS).get("d")
    assert data.startswith("M") and "z" not in data
    assert len(re.findall(r"-?\d+", data)) == 6


@pytest.mark.parametrize(
    ("metres_per_unit", "length"),
    [(1, 50), (10, 500), (25, 2000), (400, 20000), (3, 200)],
)
def test_the_scale_bar_shows_a_round_length_that_fits(metres_per_unit, length):
    assert svgmap.scale_length(metres_per_unit, 80) == length


def test_the_scale_bar_matches_the_ground():
    svg = render(title="t", desc="d", outlines=[Outline(SQUARE)])
    match = re.search(r'<g class="scale"><path d="M8 \d+v4h(\d+)v-4".*?>([\d.]+) (k?m)</text>', svg)
    units, number, unit = int(match[1]), float(match[2]), match[3]
    metres = number * (1000 if unit == "km" else 1)
    project = Projection((106.70, 21.80, 106.80, 21.90))
    assert units * project.metres_per_unit == pytest.approx(metres, rel=0.02)


@pytest.mark.parametrize(
    ("metres", "text"),
    [(50, "50 m"), (500, "500 m"), (1000, "1 km"), (1234, "1.2 km"), (20000, "20 km")],
)
def test_lengths_are_written_with_symbols(metres, text):
    assert svgmap.format_length(metres) == text


def test_a_single_point_gets_a_neighbourhood_around_it():
    svg = render(title="t", desc="d", points=[Point(106.76, 21.85)])
    root = parse(svg)
    assert root.find("s:g[@class='scale']", NS) is not None
    assert "NaN" not in svg and "inf" not in svg


def test_nothing_to_draw_draws_nothing():
    assert render(title="t", desc="d") == ""


def test_the_scale_bar_and_north_arrow_can_be_left_out():
    svg = render(
        title="t", desc="d", points=[Point(106.7, 21.8)], scale_bar=False, north_arrow=False
    )
    assert 'class="scale"' not in svg and 'class="north"' not in svg


def test_a_commune_outline_is_small():
    # A ring of 200 points along a wiggly edge: simplified at the map's resolution.
    ring = [
        [
            106.7 + 0.05 * math.cos(t / 100 * math.pi) + 0.0002 * (t % 2),
            21.85 + 0.05 * math.sin(t / 100 * math.pi),
        ]
        for t in range(200)
    ]
    ring.append(ring[0])
    svg = render(
        title="t", desc="d", outlines=[Outline({"type": "Polygon", "coordinates": [ring]})]
    )
    assert len(gzip.compress(svg.encode())) < 700


def test_a_kept_outline_is_drawn_as_a_fresh_one_and_worked_out_once_per_framing(monkeypatch):
    kept = box(106.70, 21.80, 106.80, 21.90)
    here = Point(106.75, 21.85)
    fresh = render(title="t", desc="d", outlines=[Outline(box(106.70, 21.80, 106.80, 21.90))])
    worked = []
    monkeypatch.setattr(svgmap, "_kept_paths", {})
    original = svgmap.outline_path
    monkeypatch.setattr(svgmap, "outline_path", lambda *args: worked.append(1) or original(*args))
    first = render(title="t", desc="d", outlines=[Outline(kept, kept=True)])
    again = render(title="t", desc="d", outlines=[Outline(kept, kept=True)], points=[here])
    assert first == fresh
    assert re.search(r'<path d="[^"]+"', again)[0] == re.search(r'<path d="[^"]+"', first)[0]
    assert len(worked) == 1
    # Framed differently (a point outside the commune widens the map): worked out again.
    far = Point(107, 22)
    wider = render(title="t", desc="d", outlines=[Outline(kept, kept=True)], points=[far])
    assert len(worked) == 2 and "<path" in wider
