"""Small maps drawn on the server as inline SVG: outlines, lines and numbered points, north up,
with a scale bar, a <title> and a <desc>.

Pure: it takes GeoJSON geometries and (lon, lat) pairs and returns SVG markup as a string, so a
page carries its map in its own bytes (no tile server, no script, no other host; it fits the CSP
and works offline). Outlines are projected to integer coordinates of a small viewBox, simplified
(Douglas-Peucker, in map units) and written as relative path data, which keeps a commune outline
to a few hundred bytes. Colours are presentation attributes (`fill`, `stroke`), never `style`
attributes, which a strict CSP would refuse; a caller gives each outline its own `fill` for a
choropleth, and classes for the page's stylesheet.

    svg = render(
        title="Map of Kỳ Lừa Ward",
        desc="The ward's outline and 3 places, numbered as in the list below.",
        outlines=[Outline(ward.boundary, fill="#eef3ea")],
        points=[Point(106.76, 21.85, label="1", title="Chợ Kỳ Lừa", href="/en/...")],
    )
"""

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from lib.geo import EARTH_RADIUS_M

LonLat = tuple[float, float]
XY = tuple[int, int]

# Round lengths the scale bar may show, in metres.
NICE_LENGTHS = tuple(m * 10**e for e in range(0, 6) for m in (1, 2, 5))


@dataclass(frozen=True)
class Outline:
    """A GeoJSON Polygon or MultiPolygon. `fill` is any SVG paint ("none", "#e8f0e0"), so a
    choropleth gives each outline its own; `href` makes the shape a link."""

    geometry: Mapping
    fill: str = "none"
    stroke: str = "#6b7280"
    title: str = ""
    href: str = ""
    css_class: str = ""
    # The geometry is a long-lived object (a process's copy, never changed in place): its path
    # data is kept per framing (`kept_outline_path`) and not projected and simplified again.
    kept: bool = False


@dataclass(frozen=True)
class Point:
    """A dot; `label` (a short number) is written inside it, `title` shows on hover and is read
    by screen readers, `href` makes the dot a link."""

    lon: float
    lat: float
    label: str = ""
    title: str = ""
    href: str = ""
    css_class: str = ""
    fill: str = "#b91c1c"


@dataclass(frozen=True)
class Line:
    """A path through (lon, lat) pairs, in order: a walking route, a street's two ends."""

    coords: Sequence[LonLat]
    title: str = ""
    css_class: str = ""
    stroke: str = "#b45309"


class Projection:
    """Equirectangular projection centred on the box (east-west distances shrunk by the cosine
    of the middle latitude), north up, fitted into `width` x at most `max_height` map units with
    `pad` units of margin. Good to well under a pixel for a province-sized box."""

    def __init__(
        self,
        bbox: Sequence[float],
        width: int = 320,
        max_height: int = 320,
        pad: int = 12,
        min_span_m: float = 400,
    ):
        min_lon, min_lat, max_lon, max_lat = bbox
        mid_lat = (min_lat + max_lat) / 2
        self.kx = math.cos(math.radians(mid_lat))
        # A box smaller than min_span_m (a single point, two places next door) is widened around
        # its centre, so that the map still shows a street or two around it.
        min_deg = math.degrees(min_span_m / EARTH_RADIUS_M)
        span_x = max((max_lon - min_lon) * self.kx, min_deg)
        span_y = max(max_lat - min_lat, min_deg)
        cx, cy = (min_lon + max_lon) / 2 * self.kx, (min_lat + max_lat) / 2
        inner_w, inner_h = width - 2 * pad, max_height - 2 * pad
        self.scale = min(inner_w / span_x, inner_h / span_y)  # map units per degree of latitude
        self.width = width
        self.height = math.ceil(span_y * self.scale + 2 * pad)
        self.x0 = cx - (width / 2) / self.scale
        self.y0 = cy + (self.height / 2) / self.scale

    @property
    def metres_per_unit(self) -> float:
        return math.radians(1) * EARTH_RADIUS_M / self.scale

    @property
    def key(self) -> tuple[float, ...]:
        """What decides every projected point: equal keys, equal paths."""
        return (self.kx, self.scale, self.x0, self.y0)

    def exact(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon * self.kx - self.x0) * self.scale, (self.y0 - lat) * self.scale

    def __call__(self, lon: float, lat: float) -> XY:
        x, y = self.exact(lon, lat)
        return round(x), round(y)


def simplify(points: Sequence[XY], tolerance: float) -> list[XY]:
    """Douglas-Peucker: drops the points closer than `tolerance` to the line through their
    neighbours that are kept. The first and last points always stay."""
    if len(points) < 3 or tolerance <= 0:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        start, end = stack.pop()
        (ax, ay), (bx, by) = points[start], points[end]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        worst, worst_at = -1.0, -1
        for i in range(start + 1, end):
            px, py = points[i]
            if length:
                d = abs(dy * (px - ax) - dx * (py - ay)) / length
            else:
                d = math.hypot(px - ax, py - ay)
            if d > worst:
                worst, worst_at = d, i
        if worst > tolerance:
            keep[worst_at] = True
            stack += [(start, worst_at), (worst_at, end)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _dedupe(points: Iterable[XY]) -> list[XY]:
    out: list[XY] = []
    for p in points:
        if not out or out[-1] != p:
            out.append(p)
    return out


def _numbers(values: Iterable[int]) -> str:
    """ "3 -2 -1 4" -> "3-2-1 4": a minus sign separates numbers by itself."""
    out = ""
    for v in values:
        s = str(v)
        out += s if not out or s.startswith("-") else " " + s
    return out


def _relative(points: Sequence[XY], close: bool) -> str:
    (x, y), rest = points[0], points[1:]
    steps: list[int] = []
    for px, py in rest:
        steps += [px - x, py - y]
        x, y = px, py
    data = "M" + _numbers([points[0][0], points[0][1]])
    if steps:
        data += "l" + _numbers(steps)
    return data + ("z" if close else "")


def rings_of(geometry: Mapping) -> list[Sequence[LonLat]]:
    """Every ring (outer and holes) of a GeoJSON Polygon or MultiPolygon."""
    coords = geometry.get("coordinates") or []
    if geometry.get("type") == "Polygon":
        return list(coords)
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in coords for ring in polygon]
    return []


def outline_path(geometry: Mapping, project: Projection, tolerance: float = 1.0) -> str:
    """Compact path data for a polygon's rings; a ring that simplifies to less than a triangle
    (an islet smaller than a pixel) is left out."""
    parts = []
    for ring in rings_of(geometry):
        xy = _dedupe(project(lon, lat) for lon, lat, *_ in ring)
        if len(xy) > 1 and xy[0] == xy[-1]:
            xy.pop()
        xy = simplify([*xy, xy[0]], tolerance)[:-1] if len(xy) > 2 else xy
        if len(xy) >= 3:
            parts.append(_relative(xy, close=True))
    return "".join(parts)


# {(id of a kept geometry, projection, tolerance): (the geometry, its path data)}; the
# geometry is held so that its id is not reused while the entry lives.
_kept_paths: dict[tuple, tuple[Mapping, str]] = {}
KEPT_PATHS_MAX = 1024


def kept_outline_path(geometry: Mapping, project: Projection, tolerance: float = 1.0) -> str:
    """`outline_path` of a geometry that is never changed in place, worked out once per
    framing and process: a commune's outline on the pages of its places."""
    key = (id(geometry), project.key, tolerance)
    kept = _kept_paths.get(key)
    if kept is not None and kept[0] is geometry:
        return kept[1]
    data = outline_path(geometry, project, tolerance)
    if len(_kept_paths) >= KEPT_PATHS_MAX:
        _kept_paths.clear()
    _kept_paths[key] = (geometry, data)
    return data


def line_path(coords: Sequence[LonLat], project: Projection, tolerance: float = 1.0) -> str:
    xy = simplify(_dedupe(project(lon, lat) for lon, lat in coords), tolerance)
    return _relative(xy, close=False) if xy else ""


def borders_path(geometries: Iterable[Mapping], project: Projection, tolerance: float = 1.0) -> str:
    """Every border of a set of polygons drawn once, as open lines: where two neighbours share
    an edge (a clean coverage, like the communes of a province), it is written and simplified
    once, so the lines of neighbours meet exactly and the path is about half the size of the
    outlines drawn one by one."""
    neighbours: dict[LonLat, set[LonLat]] = {}
    for geometry in geometries:
        for ring in rings_of(geometry):
            points = [(p[0], p[1]) for p in ring]
            for a, b in itertools.pairwise(points):
                if a != b:
                    neighbours.setdefault(a, set()).add(b)
                    neighbours.setdefault(b, set()).add(a)
    seen: set[frozenset] = set()
    chains: list[list[LonLat]] = []

    def walk(start: LonLat, after: LonLat) -> list[LonLat]:
        chain = [start, after]
        seen.add(frozenset((start, after)))
        while len(neighbours[chain[-1]]) == 2 and chain[-1] != start:
            step = next(
                (n for n in neighbours[chain[-1]] if frozenset((chain[-1], n)) not in seen), None
            )
            if step is None:
                break
            seen.add(frozenset((chain[-1], step)))
            chain.append(step)
        return chain

    # Chains run from junction to junction (a point with other than two neighbours); what is
    # left are closed rings with no junction (an islet, a unit with a single neighbour).
    for ends in (True, False):
        for point, around in neighbours.items():
            if ends and len(around) == 2:
                continue
            for other in around:
                if frozenset((point, other)) not in seen:
                    chains.append(walk(point, other))
    parts = []
    at: XY | None = None
    for chain in chains:
        xy = simplify(_dedupe(project(lon, lat) for lon, lat in chain), tolerance)
        if len(xy) > 1:
            data = _relative(xy, close=False)
            if at is not None:
                # A relative move from where the last line ended: shorter numbers.
                data = (
                    "m" + _numbers([xy[0][0] - at[0], xy[0][1] - at[1]]) + data[data.index("l") :]
                )
            parts.append(data)
            at = xy[-1]
    return "".join(parts)


def bbox_of(
    outlines: Iterable[Outline] = (), lines: Iterable[Line] = (), points: Iterable[Point] = ()
) -> tuple[float, float, float, float] | None:
    """[min_lon, min_lat, max_lon, max_lat] around everything given, or None for nothing."""
    lons: list[float] = []
    lats: list[float] = []
    for outline in outlines:
        for ring in rings_of(outline.geometry):
            lons += [p[0] for p in ring]
            lats += [p[1] for p in ring]
    for line in lines:
        lons += [p[0] for p in line.coords]
        lats += [p[1] for p in line.coords]
    for point in points:
        lons.append(point.lon)
        lats.append(point.lat)
    if not lons:
        return None
    return min(lons), min(lats), max(lons), max(lats)


def scale_length(metres_per_unit: float, max_units: float) -> int:
    """The longest round length (1, 2 or 5 times a power of ten, in metres) that fits in
    `max_units` map units."""
    fitting = [m for m in NICE_LENGTHS if m / metres_per_unit <= max_units]
    return fitting[-1] if fitting else NICE_LENGTHS[0]


def format_length(metres: float) -> str:
    """ "500 m", "2 km", "1.2 km": symbols are the same in every language of the registry."""
    if metres < 1000:
        return f"{round(metres)} m"
    km = metres / 1000
    return f"{km:.0f} km" if km >= 10 or km == int(km) else f"{km:.1f} km"


def _attrs(**attrs: object) -> str:
    return "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value not in ("", None)
    )


def _linked(markup: str, href: str, title: str) -> str:
    tip = f"<title>{escape(title)}</title>" if title else ""
    if href:
        return f"<a{_attrs(href=href)}>{tip}{markup}</a>"
    if tip:
        return f"<g>{tip}{markup}</g>"
    return markup


def render(
    *,
    title: str,
    desc: str,
    outlines: Sequence[Outline] = (),
    lines: Sequence[Line] = (),
    points: Sequence[Point] = (),
    bbox: Sequence[float] | None = None,
    width: int = 320,
    max_height: int = 320,
    tolerance: float = 1.0,
    min_span_m: float = 400,
    borders: Sequence[Mapping] = (),
    id_prefix: str = "map",
    css_class: str = "map",
    scale_bar: bool = True,
    north_arrow: bool = True,
) -> str:
    """The whole <svg> element. `bbox` defaults to everything drawn; give it to frame a map on
    part of its content (a commune's outline with a point outside it still fits: it is drawn,
    clipped by the viewBox). `borders`: polygons (GeoJSON geometries) whose borders are drawn
    over the outlines, each shared edge once (`borders_path`): many neighbouring units in few
    bytes, with an outline of their union as the ground. Returns "" when there is nothing to
    draw."""
    box = bbox or bbox_of([*outlines, *(Outline(g) for g in borders)], lines, points)
    if box is None:
        return ""
    project = Projection(box, width=width, max_height=max_height, min_span_m=min_span_m)
    body: list[str] = []
    for outline in outlines:
        path = kept_outline_path if outline.kept else outline_path
        data = path(outline.geometry, project, tolerance)
        if data:
            attrs = _attrs(fill=outline.fill, stroke=outline.stroke, class_=outline.css_class)
            shape = f'<path d="{data}"{attrs}/>'
            body.append(_linked(shape, outline.href, outline.title))
    if borders:
        data = borders_path(borders, project, tolerance)
        body.append(f'<path d="{data}" fill="none" stroke="#6b7280" stroke-linejoin="round"/>')
    for line in lines:
        data = line_path(line.coords, project, tolerance)
        if data:
            shape = (
                f"<path{_attrs(d=data, stroke=line.stroke, class_=line.css_class)}"
                ' fill="none" stroke-width="3"'
                ' stroke-linejoin="round" stroke-linecap="round"/>'
            )
            body.append(_linked(shape, "", line.title))
    for point in points:
        x, y = project(point.lon, point.lat)
        radius = 7 if point.label else 4
        attrs = _attrs(fill=point.fill, class_=point.css_class)
        dot = f'<circle cx="{x}" cy="{y}" r="{radius}"{attrs} stroke="#fff"/>'
        if point.label:
            dot += f'<text x="{x}" y="{y + 3}" fill="#fff">{escape(point.label)}</text>'
        body.append(_linked(dot, point.href, point.title))
    h = project.height
    if scale_bar:
        metres = scale_length(project.metres_per_unit, width / 4)
        units = round(metres / project.metres_per_unit)
        body.append(
            f'<g class="scale"><path d="M8 {h - 6}v4h{units}v-4" fill="none" stroke="#111"/>'
            f'<text x="{8 + units + 4}" y="{h - 2}" text-anchor="start">'
            f"{format_length(metres)}</text></g>"
        )
    if north_arrow:
        body.append(
            f'<g class="north"><path d="M{width - 14} 6l5 12-5-3-5 3z" fill="#111"/>'
            f'<text x="{width - 14}" y="28">N</text></g>'
        )
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    # An image to assistive technology; a map with links is a labelled group instead, since an
    # image may hold no focusable control (the links keep their own titles).
    linked = any(shape.href for shape in (*outlines, *points))
    role = "group" if linked else "img"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {h}" role="{role}"'
        f"{_attrs(class_=css_class, aria_labelledby=title_id, aria_describedby=desc_id)}"
        f' font-size="10" text-anchor="middle" fill="#1f2937">'
        f'<title id="{title_id}">{escape(title)}</title><desc id="{desc_id}">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )
