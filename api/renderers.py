"""The open-data API's export formats: GeoJSON for maps (QGIS, Leaflet) and CSV for spreadsheets.

Both export a whole list at once, unpaginated: a map layer or a spreadsheet is useful only
complete. The views build the data (a FeatureCollection, or flat rows and their columns); these
classes only encode it.
"""

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from rest_framework.renderers import BaseRenderer, JSONRenderer

from lib.text import spreadsheet_cell

EXPORT_FORMATS = ("csv", "geojson")


class GeoJSONRenderer(JSONRenderer):
    """RFC 7946 GeoJSON: WGS 84 longitude/latitude, UTF-8, no `crs` member."""

    media_type = "application/geo+json"
    format = "geojson"
    # RFC 7946 defines no charset parameter: GeoJSON is always UTF-8.
    charset = None


class CSVRenderer(BaseRenderer):
    """Comma-separated values with a header row, UTF-8 with a byte-order mark.

    The BOM is what makes Excel read the file as UTF-8: without it Excel on Windows guesses a
    legacy code page and garbles every Vietnamese letter. LibreOffice, pandas and QGIS skip it.
    A text that a spreadsheet would run as a formula gets a quote in front (`cell`).
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        rows = [flatten(row) for row in data]
        # The view's columns come first (an empty export keeps its header); a value under a
        # key they miss is added rather than silently dropped. (A null object, {"unit": null},
        # has its columns already: "unit.code", "unit.name"...)
        columns = list((renderer_context or {}).get("csv_columns") or [])
        known = set(columns)
        for row in rows:
            for key, value in row.items():
                if key not in known and value is not None:
                    columns.append(key)
                    known.add(key)
        out = io.StringIO()
        writer = csv.DictWriter(
            out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n"
        )
        writer.writeheader()
        writer.writerows({key: cell(value) for key, value in row.items()} for row in rows)
        return ("\ufeff" + out.getvalue()).encode("utf-8")


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """One level of keys for a nested object: {"unit": {"code": "05986"}} -> {"unit.code": ...}.

    Lists of plain values become one cell ("vi; en"); a null object leaves its columns empty.
    """
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def cell(value: Any) -> str:
    """A CSV cell: numbers as numbers, text as text that no spreadsheet runs as a formula
    (lib.text.spreadsheet_cell: a name "=HYPERLINK(…)" comes out as "'=HYPERLINK(…)")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return spreadsheet_cell("; ".join(plain(item) for item in value))
    return spreadsheet_cell(str(value))


def plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def feature_collection(features: Iterable[dict]) -> dict:
    """A FeatureCollection that states its licence and attribution as foreign members (RFC 7946
    §6.1): a GeoJSON file saved to disk keeps no HTTP header."""
    return {
        "type": "FeatureCollection",
        "license": settings.DATA_LICENCE,
        "attribution": attribution(),
        "features": list(features),
    }


def licence_link() -> str:
    """The `Link` header that states the licence (RFC 8288): on every API answer and file, whatever
    its format, since a CSV has no place of its own for it."""
    return f'<{settings.DATA_LICENCE["url"]}>; rel="license"'


def attribution() -> str:
    """What a reuser credits, as CC BY asks: "© <publisher>, <licence>"."""
    return f"© {settings.DATA_PUBLISHER['name']}, {settings.DATA_LICENCE['name']}"


def feature(*, id: int | str, geometry: dict | None, properties: Mapping[str, Any]) -> dict:
    """A GeoJSON Feature. Properties are flattened, because QGIS and most GIS tools turn a nested
    object into one opaque text attribute."""
    return {"type": "Feature", "id": id, "geometry": geometry, "properties": flatten(properties)}


def point(lon: float | None, lat: float | None) -> dict | None:
    """A GeoJSON Point (longitude first, as RFC 7946 requires), or None without coordinates."""
    if lon is None or lat is None:
        return None
    return {"type": "Point", "coordinates": [lon, lat]}


def line_string(positions: Iterable[tuple[float | None, float | None]]) -> dict | None:
    """A GeoJSON LineString through (lon, lat) positions in order, leaving out those without
    coordinates; None when fewer than two remain (RFC 7946 asks for two at least)."""
    coordinates = [[lon, lat] for lon, lat in positions if lon is not None and lat is not None]
    if len(coordinates) < 2:
        return None
    return {"type": "LineString", "coordinates": coordinates}


def multipolygon(geometry: dict | None) -> dict | None:
    """A Polygon as a one-part MultiPolygon: a layer of one geometry type, which QGIS opens as
    one layer instead of asking which of two sub-layers to load."""
    if geometry and geometry.get("type") == "Polygon":
        return {"type": "MultiPolygon", "coordinates": [geometry["coordinates"]]}
    return geometry
