"""Bytes on the wire for a place page: the HTML as rendered (baseline), as the app sends it
(gzip, GZipMiddleware), and as a brotli-capable proxy would (quality 5, a usual dynamic
setting), over every demo place in both languages; the heaviest against the 14 KB that arrive
in the first round trip.

    .venv/bin/python bench/page_weight.py
"""

import gzip
import statistics

import brotli
from _setup import django_with_demo

BUDGET = 14 * 1024


def main() -> None:
    django_with_demo()
    from django.test import Client
    from django.utils import translation

    from sites.models import Place

    client = Client()
    rows = []
    for place in Place.objects.published():
        for language in ("vi", "en"):
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
    print(f"place pages measured: {len(rows)} (every published demo place, vi and en)")
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
        for url in (f"/{code}/units/", f"/{code}/people/"):
            response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
            wire = response.content
            raw = gzip.decompress(wire) if response.get("Content-Encoding") == "gzip" else wire
            print(f"  {url:16}{len(raw):>8}{len(wire):>8}  {len(wire) / BUDGET:.2f} of 14 KB")


if __name__ == "__main__":
    main()
