"""Bytes on the wire for a place page: the HTML as rendered (baseline), as the app sends it
(gzip, GZipMiddleware), and as a brotli-capable proxy would (quality 5, a usual dynamic
setting), over every demo place in every language of the registry; the heaviest against the
14 KB that arrive in the first round trip. Then the inline SVG map's share of each kind of page
(place, commune or ward, home, walking route): the page's gzip bytes with its map, less the same
page with the map cut out (the baseline, measured in the same run), against the 2 KB a map may
add.

    .venv/bin/python bench/page_weight.py
"""

import gzip
import re
import statistics

import brotli
from _setup import django_with_demo

BUDGET = 14 * 1024
MAP_BUDGET = 2 * 1024
SVG = re.compile(rb"<svg .*?</svg>", re.S)


def map_share(raw: bytes) -> tuple[int, int, int]:
    """(gzip bytes of the page, of the page without its map, the map's share of the first)."""
    with_map = len(gzip.compress(raw))
    without = len(gzip.compress(SVG.sub(b"", raw)))
    return with_map, without, with_map - without


def main() -> None:
    django_with_demo()
    from django.conf import settings
    from django.test import Client
    from django.utils import translation

    from lib import languages
    from sites.models import Place

    client = Client()
    rows = []
    for place in Place.objects.published():
        for language in languages.codes():
            with translation.override(language):
                url = place.get_absolute_url()
            response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
            assert response.status_code == 200, url
            wire = response.content
            raw = gzip.decompress(wire) if response.get("Content-Encoding") == "gzip" else wire
            css = raw.split(b"<style>", 1)[1].split(b"</style>", 1)[0]
            rows.append((url, len(raw), len(wire), len(brotli.compress(raw, quality=5)), len(css)))

    raw = [r[1] for r in rows]
    gz = [r[2] for r in rows]
    br = [r[3] for r in rows]
    heaviest = max(rows, key=lambda r: r[2])
    print(
        f"place pages measured: {len(rows)} "
        f"(every published demo place, {', '.join(languages.codes())})"
    )
    for language, _name in settings.LANGUAGES:
        own = [r[2] for r in rows if r[0].startswith(f"/{language}/")]
        print(f"  gzip median in {language}: {statistics.median(own):.0f}, max {max(own)}")
    print(f"{'':24}{'median':>10}{'max':>10}{'ratio to raw':>16}")
    print(f"{'raw HTML (baseline)':24}{statistics.median(raw):>10.0f}{max(raw):>10}{1:>16.2f}")
    print(
        f"{'gzip (sent by the app)':24}{statistics.median(gz):>10.0f}{max(gz):>10}"
        f"{statistics.median(gz) / statistics.median(raw):>16.2f}"
    )
    print(
        f"{'brotli q5 (a proxy)':24}{statistics.median(br):>10.0f}{max(br):>10}"
        f"{statistics.median(br) / statistics.median(raw):>16.2f}"
    )
    print(f"inlined CSS per page: {rows[0][4]} bytes raw")
    print(
        f"heaviest page {heaviest[0]}: {heaviest[2]} bytes gzip = "
        f"{heaviest[2] / BUDGET:.2f} of the 14 KB first round trip"
    )
    from django.conf import settings

    print("index pages (every language): raw / gzip bytes")
    for code, _name in settings.LANGUAGES:
        for url in (f"/{code}/units/", f"/{code}/people/", f"/{code}/routes/"):
            response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
            wire = response.content
            raw = gzip.decompress(wire) if response.get("Content-Encoding") == "gzip" else wire
            print(f"  {url:16}{len(raw):>8}{len(wire):>8}  {len(wire) / BUDGET:.2f} of 14 KB")
    map_bytes(client)


def map_bytes(client) -> None:
    from django.conf import settings
    from django.utils import translation

    from sites.models import AdminUnit, Place, Route

    pages: dict[str, list[str]] = {"place": [], "commune or ward": [], "home": [], "route": []}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            pages["home"].append(f"/{language}/")
            pages["place"] += [p.get_absolute_url() for p in Place.objects.published()]
            pages["commune or ward"] += [
                u.get_absolute_url()
                for u in AdminUnit.objects.communes().filter(places__isnull=False).distinct()
            ]
            pages["route"] += [r.get_absolute_url() for r in Route.objects.published()]
    print(f"\nmap bytes per page (gzip, page with map less page without; budget {MAP_BUDGET})")
    print(
        f"{'page':18}{'pages':>6}{'map median':>12}{'map max':>10}"
        f"{'page max':>10}{'no-map max':>12}"
    )
    for kind, urls in pages.items():
        shares = []
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            shares.append(map_share(response.content))
        if not shares:
            continue
        print(
            f"{kind:18}{len(shares):>6}{statistics.median(s[2] for s in shares):>12.0f}"
            f"{max(s[2] for s in shares):>10}{max(s[0] for s in shares):>10}"
            f"{max(s[1] for s in shares):>12}"
        )


if __name__ == "__main__":
    main()
