"""Static mode, for the largest days: every published page and every plate's scan target, in every
language, written out as files that nginx serves without Django (and through any database
outage), with the nginx configuration that picks the file for a scan as Django would.

Layout of the output folder:

    vi/…/index.html, en/…/index.html   the public pages, at their own addresses
    vi/units/<slug>/offline.json       the "save this area" packs
    Q/<CODE>/vi.html, Q/<CODE>/en.html what a scan of the plate shows in each language
    *.gz                               the same, compressed (nginx's gzip_static)
    streetinfo.js                      the language choice and code reading (nginx's njs module)
    nginx-streetinfo.conf              to include in the portal's `server {}` block

Files are rendered through Django itself (the same views, templates and headers as a live
request), written atomically (a reader never sees half a file), and refreshed by a task after a
record is published, changed or withdrawn (`refresh_for`, connected in `edge.apps`).
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from edge.dependents import dependents
from edge.rendering import renderer
from lib.files import write_atomically
from lib.languages import nginx_pattern, njs_table
from public.sitemaps import SITEMAPS
from public.views import kind_counts
from qrplates.models import Plate
from sites.models import Place

DEFAULT_SCAN_LOG = "/var/log/nginx/streetinfo-scans.log"
# Headers of a scan answered by Django that nginx repeats for the same page served as a file.
REPEATED_HEADERS = (
    "Cache-Control",
    "Content-Security-Policy",
    "Permissions-Policy",
    "Referrer-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
    "Strict-Transport-Security",
)


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def page_urls() -> Iterator[str]:
    """Every public page worth having as a file, in every language."""
    for language in languages():
        with translation.override(language):
            for sitemap_class in SITEMAPS.values():
                sitemap = sitemap_class()
                for item in sitemap.items():
                    url = sitemap.location(item)
                    yield url
                    if url.startswith(f"/{language}/units/"):
                        yield f"{url}offline.json"
            for kind, _label, _count in kind_counts():
                yield reverse("sites:kind", kwargs={"kind": Place.URL_SEGMENTS[kind]})
            yield reverse("sites:offline")


def scan_urls(plates: Iterable[Plate]) -> Iterator[tuple[str, str]]:
    """(address to request, file path) of every plate's scan target in every language."""
    for plate in plates:
        for language in languages():
            yield f"/Q/{plate.code}?lang={language}", f"Q/{plate.code}/{language}.html"


def file_for(url: str) -> str:
    path = url.lstrip("/")
    return path if path.endswith(".json") else f"{path}index.html"


@dataclass
class Report:
    written: int = 0
    removed: int = 0
    bytes: int = 0
    headers: dict[str, str] = field(default_factory=dict)


class StaticSite:
    def __init__(self, out: Path):
        self.out = Path(out)
        self.client = renderer()
        self.report = Report()

    def render(self, url: str, target: str) -> None:
        """Writes what Django answers at `url` to `target`, or removes `target` when the answer
        is not a page (the record was withdrawn, renamed or deleted): nginx then asks Django."""
        response = self.client.get(url)
        path = self.out / target
        if response.status_code != 200:
            if path.exists():
                path.unlink()
                path.with_name(path.name + ".gz").unlink(missing_ok=True)
                self.report.removed += 1
            return
        if target.startswith("Q/") and not self.report.headers:
            self.report.headers = {h: response[h] for h in REPEATED_HEADERS if h in response}
        write_atomically(path, response.content)
        write_atomically(path.with_name(path.name + ".gz"), gzip.compress(response.content, 9))
        self.report.written += 1
        self.report.bytes += len(response.content)

    def render_all(self, scan_log: str = DEFAULT_SCAN_LOG) -> Report:
        self.out.mkdir(parents=True, exist_ok=True)
        for url in dict.fromkeys(page_urls()):
            self.render(url, file_for(url))
        for url, target in scan_urls(Plate.objects.order_by("code")):
            self.render(url, target)
        self.write_config(scan_log)
        return self.report

    def refresh(self, urls: Iterable[str], plates: Iterable[Plate]) -> Report:
        for url in dict.fromkeys(urls):
            self.render(url, file_for(url))
        for url, target in scan_urls(plates):
            self.render(url, target)
        return self.report

    def write_config(self, scan_log: str = DEFAULT_SCAN_LOG) -> None:
        if not self.report.headers:  # no plate yet: the headers of a page will do
            response = self.client.get(reverse("sites:home"))
            self.report.headers = {h: response[h] for h in REPEATED_HEADERS if h in response}
        context = {
            "root": self.out.resolve(),
            "headers": [(h, v.replace('"', '\\"')) for h, v in sorted(self.report.headers.items())],
            "languages_json": json.dumps(njs_table()),
            "languages_regex": nginx_pattern(),
            "default_language": settings.LANGUAGE_CODE,
            "cookie_name": settings.LANGUAGE_COOKIE_NAME,
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "scan_log": scan_log,
        }
        for name in ("nginx-http.conf", "nginx-server.conf", "streetinfo.js"):
            text = render_to_string(f"qrplates/static_mode/{name}", context)
            write_atomically(self.out / name, text.encode())


def standalone_config(out: Path, port: int, django: str) -> str:
    """A whole nginx.conf serving static mode from `out` on 127.0.0.1:`port` in front of Django
    at `django` (host:port): for trying it on one machine, the benchmark and the tests."""
    out = Path(out).resolve()
    # As root, nginx's workers would run as nobody, who cannot read a private temporary folder.
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
load_module /usr/lib/nginx/modules/ngx_http_js_module.so;
{user}
pcre_jit on;
worker_processes auto;
pid {out}/nginx.pid;
error_log {out}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    keepalive_requests 100000;
    client_body_temp_path {out}/.nginx-tmp;
    proxy_temp_path {out}/.nginx-tmp;
    include {out}/nginx-http.conf;
    server {{
        listen 127.0.0.1:{port};
        location @django {{ proxy_pass http://{django}; proxy_set_header Host $http_host; }}
        location / {{
            proxy_pass http://{django};
            proxy_set_header Host $http_host;
            proxy_intercept_errors on;
            error_page 502 503 504 = @streetinfo_files;
        }}
        include {out}/nginx-server.conf;
    }}
}}
"""


def refresh_for(changed: Iterable[object]) -> None:
    """Has the files that show the `changed` records refreshed, once each, by a task, when
    STATIC_MODE_DIR is set (called after a commit; the save does not wait for the rendering).
    Which files those are is `edge.dependents`' rule, the one the page cache follows too, asked
    here while the changed rows (a deleted one included) are at hand."""
    if not settings.STATIC_MODE_DIR:
        return
    found = dependents(changed)
    if found.pages or found.plates:
        refresh_files.enqueue(list(found.pages), sorted(found.plates))


@task()
def refresh_files(pages: list[str], plates: list[int]) -> None:
    """The task: renders `pages` and the scan answers of the plates `plates` (ids) again."""
    if settings.STATIC_MODE_DIR:
        StaticSite(Path(settings.STATIC_MODE_DIR)).refresh(
            pages, Plate.objects.filter(pk__in=plates).order_by("code")
        )
