"""Small, dependency-free geometry: enough for 65 unit boundaries and "nearby" lists.

GeoDjango would need GDAL/GEOS/SpatiaLite on every editor's laptop; ray casting over
simplified polygons answers "which commune contains this point" in microseconds.
"""

import itertools
import math
from collections.abc import Iterable, Sequence

EARTH_RADIUS_M = 6_371_000

# Mainland Vietnam plus the Hoàng Sa and Trường Sa archipelagos, as two boxes (lat, lon).
# A coarse check: it catches swapped or mistyped coordinates, not a border dispute.
VIETNAM_BOXES = (
    ((8.18, 102.14), (23.40, 109.47)),
    ((6.0, 109.47), (17.2, 117.9)),
)

Ring = Sequence[Sequence[float]]


def in_vietnam(lat: float, lon: float) -> bool:
    return any(s <= lat <= n and w <= lon <= e for (s, w), (n, e) in VIETNAM_BOXES)


def _in_ring(lon: float, lat: float, ring: Ring) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _in_polygon(lon: float, lat: float, rings: Sequence[Ring]) -> bool:
    if not rings or not _in_ring(lon, lat, rings[0]):
        return False
    return not any(_in_ring(lon, lat, hole) for hole in rings[1:])


def geometry_contains(geometry: dict, lat: float, lon: float) -> bool:
    """True when the GeoJSON Polygon or MultiPolygon contains the point."""
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    if kind == "Polygon":
        return _in_polygon(lon, lat, coords)
    if kind == "MultiPolygon":
        return any(_in_polygon(lon, lat, polygon) for polygon in coords)
    return False


def bbox_contains(bbox: Sequence[float] | None, lat: float, lon: float) -> bool:
    """bbox is [min_lon, min_lat, max_lon, max_lat], as in GeoJSON."""
    return bool(bbox) and bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bbox_around(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, min_lon, max_lat, max_lon) of a box that contains the circle: a cheap SQL
    prefilter before the exact distance is computed in Python."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
    return lat - dlat, lon - dlon, lat + dlat, lon + dlon


def geometry_bbox(geometry: dict) -> list[float]:
    points: Iterable[Sequence[float]]
    coords = geometry.get("coordinates") or []
    if geometry.get("type") == "Polygon":
        points = [pt for ring in coords for pt in ring]
    else:
        points = [pt for polygon in coords for ring in polygon for pt in ring]
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return [min(lons), min(lats), max(lons), max(lats)]


def path_length_m(points: Sequence[tuple[float, float]]) -> float:
    """Length in metres of the straight legs through (lat, lon) pairs, in order."""
    return sum(distance_m(*a, *b) for a, b in itertools.pairwise(points))
