"""Static mode's nginx answers a scan in the language Django would choose: its maps and its njs
port are generated from the language registry (lib/languages.py) by `render_static`, then asked
through a real nginx about real and malformed Accept-Language headers, cookies and queries.
Every answer must be Django's (`visitor_language`), with today's languages and with another one
added to the registry."""

import http.client
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from edge.static_mode import StaticSite
from qrplates.scans import visitor_language
from tests.languages import ZH_HANT, add_languages
from tests.ports import free_port, start_nginx, stop_nginx

NJS = Path("/usr/lib/nginx/modules/ngx_http_js_module.so")

# What phones and browsers send, then what a careless client or an attacker might.
ACCEPT_LANGUAGES = [
    "",
    "vi",
    "en",
    "vi-VN,vi;q=0.9",
    "vi-VN,vi;q=0.9,en;q=0.8",
    "vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7",
    "vi-VN,vi;q=0.9,fr-FR;q=0.8,fr;q=0.7,en-US;q=0.6,en;q=0.5",
    "en-US,en;q=0.9",
    "en-GB,en;q=0.9,vi;q=0.8",
    "en-VN,en;q=0.9,vi-VN;q=0.8,vi;q=0.7",
    "en-US,en;q=0.9,vi;q=0.8,zh-CN;q=0.7,zh;q=0.6",
    "fr-FR",
    "fr-FR,fr;q=0.9,en;q=0.8",
    "de-DE,de;q=0.9,en;q=0.8,vi;q=0.7",
    "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7",
    "ja",
    "ja-JP",
    "th-TH,th;q=0.9",
    "ru-RU,ru;q=0.9,uk;q=0.8,en-US;q=0.7,en;q=0.6",
    "fr, en-US;q=0, vi;q=0",
    "zh-CN;q=0",
    "zh-CN;q=0,en;q=0",
    "zh-CN,zh;q=0.9,vi;q=0.8,en;q=0.7",
    "zh-Hans",
    "zh-hans-SG",
    "zh-MO",
    "zh-Hant",
    "zh-yue",
    "zh-CN,zh;q=0.9",
    "zh-CN",
    "zh",
    "zh-TW,zh;q=0.9,en-US;q=0.8,en;q=0.7",
    "zh-HK",
    "zh-SG",
    "zh-Hans-CN,zh-Hans;q=0.9",
    "zh-Hant-TW",
    "*",
    "vi-VN, en",
    "EN-gb",
    "VI",
    "en-US-x-twain",
    "vi;q=0.3,en;q=0.7",  # not in q order
    "en-US;q=0.9,vi;q=0.95",
    "en;q=0.5,vi;q=0.5",  # a tie keeps the header's order
    "en;q=0,vi;q=0.5",
    "en;q=0",  # "not English": nothing acceptable is left
    "en;q=0.000",
    "en;q=0.001",
    "fr, en;q=0",
    "de, *;q=0.5, en;q=0.1",
    "*;q=0.5, en;q=0.1",
    "en ; q = 0.5",
    "en\t,\tvi",
    "en\x1f,vi",  # Python's whitespace, not JavaScript's
    "x-klingon, en",
    "i-default",
    # Malformed: Django ignores the whole header.
    "en;q=2",
    "en, fr!!",
    "en;q=1.0001",
    ",en",
    "en,",
    "en;;q=0.5",
    "vi-",
    "-en",
    "en-abcdefghi",
    "tlhIngan-Hol-abcdefghij, en",
    "en\xa0,vi",  # one byte: Latin-1 whitespace for Django
    "en\xc2\xa0,vi",  # UTF-8's no-break space: two bytes, not whitespace for Django
    "vi,en\xe9",
    # Long headers: Django reads up to the last comma before 500 characters.
    "fr," * 166 + "en",
    "fr," * 160 + "en,vi",
    "x" * 501,
    "en-" + "-".join(["abcdefgh"] * 60),
]
COOKIES = [
    "lang=en",
    "lang=vi",
    "lang=EN",
    "lang=en-US",
    "lang=xx",
    "lang=",
    "lang= en ",
    'lang="en"',
    'lang="\\145n"',
    "lang=vi|",
    " lang =en",
    "a=1; lang=en",
    "lang=en; lang=vi",
    "lang=zh-hans",
    "lang=zh-Hans",
    "lang=zh",
    "lang=zh-CN",
    "lang=zh_hans",
    "lang=vi; lang=xx",
    "xlang=en",
    "LANG=en",
    "lang=en;",
    "lang=\xe3\x80\x80en",  # UTF-8's ideographic space, which Django strips
    "lang=\xa0en",  # not UTF-8: Django reads a replacement character
]
QUERIES = [
    "lang=en",
    "lang=vi",
    "lang=EN-us",
    "lang=en&lang=vi",
    "lang=vi&lang=klingon",
    "lang=klingon",
    "lang=zh-hans",
    "lang=zh-TW",
    "lang=zh%2Dhans",
    "lang=",
    "x=1",
    "lang=%20en",
    "lang=e%6E",
    "l%61ng=en",
    "lang=%E3%80%80en",
    "lang=%A0en",
    "lang=+en",
    "lang",
]
# Most phones send one of these: nginx answers them from its maps, without running JavaScript.
COMMON = [
    ("", "", ""),
    ("", "", "vi-VN,vi;q=0.9,en;q=0.8"),
    ("", "", "en-US,en;q=0.9"),
    ("", "", "zh-hans,en;q=0.5"),
    ("lang=zh-hans", "", "en"),
    ("", "lang=en", "vi"),
    ("lang=en", "", ""),
]


def cases() -> Iterator[tuple[str, str, str]]:
    """(query, cookie, Accept-Language)."""
    for header in ACCEPT_LANGUAGES:
        yield "", "", header
    for cookie in COOKIES:
        yield "", cookie, "vi"
        yield "", cookie, "en"
    for query in QUERIES:
        yield query, "", "en"
        yield query, "lang=en", "vi"


@pytest.fixture
def add(monkeypatch, settings) -> Callable[..., None]:
    return lambda *added: add_languages(monkeypatch, settings, *added)


@pytest.fixture
def static_nginx(db, tmp_path) -> Iterator[Callable[[], str]]:
    """Renders static mode's nginx configuration from the registry as it stands, starts nginx
    with it, and gives its address. nginx answers every request with the language it chose,
    and says in X-Simple whether its maps chose it without the njs port."""
    if not shutil.which("nginx") or not NJS.exists():
        if os.environ.get("CI"):
            pytest.fail("nginx with njs is not installed (apt-get install libnginx-mod-http-js)")
        pytest.skip("nginx with njs is not installed")
    started: list[Path] = []

    def start() -> str:
        out = tmp_path / f"static{len(started)}"
        StaticSite(out).write_config(str(tmp_path / "scans.log"))
        port = free_port()
        config = out / "nginx.conf"
        config.write_text(
            f"""
load_module {NJS};
{"user root;" if os.geteuid() == 0 else ""}
pid {out}/nginx.pid;
error_log {out}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {out}/.nginx-tmp;
    proxy_temp_path {out}/.nginx-tmp;
    include {out}/nginx-http.conf;
    server {{
        listen 127.0.0.1:{port};
        default_type text/plain;
        add_header X-Simple "$streetinfo_lang_simple" always;
        location / {{ return 200 "$streetinfo_lang"; }}
    }}
}}
"""
        )
        started.append(config)
        start_nginx(config, port)
        return f"127.0.0.1:{port}"

    yield start
    for config in started:
        stop_nginx(config)


def ask_nginx(connection: http.client.HTTPConnection, query: str, cookie: str, header: str):
    """(language, whether the maps chose it alone). Headers are sent as raw bytes."""
    connection.putrequest("GET", "/Q/ABCD" + (f"?{query}" if query else ""))
    if cookie:
        connection.putheader("Cookie", cookie.encode("latin-1"))
    if header:
        connection.putheader("Accept-Language", header.encode("latin-1"))
    connection.endheaders()
    response = connection.getresponse()
    return response.read().decode(), bool(response.getheader("X-Simple"))


def ask_django(rf, query: str, cookie: str, header: str) -> str:
    """What the scan view would choose; WSGI hands Django each header's bytes as Latin-1."""
    request = rf.get("/Q/ABCD", QUERY_STRING=query, HTTP_COOKIE=cookie, HTTP_ACCEPT_LANGUAGE=header)
    return visitor_language(request)


def disagreements(base: str, rf) -> list[tuple[str, str, str, str, str]]:
    connection = http.client.HTTPConnection(base, timeout=10)
    found = []
    for query, cookie, header in cases():
        nginx, _simple = ask_nginx(connection, query, cookie, header)
        django = ask_django(rf, query, cookie, header)
        if nginx != django:
            found.append((query, cookie, header[:80], nginx, django))
    return found


def test_nginx_chooses_the_language_django_chooses(static_nginx, rf):
    assert disagreements(static_nginx(), rf) == []


def test_the_common_headers_are_answered_without_javascript(static_nginx, rf):
    connection = http.client.HTTPConnection(static_nginx(), timeout=10)
    for query, cookie, header in COMMON:
        language, simple = ask_nginx(connection, query, cookie, header)
        assert simple, (query, cookie, header)
        assert language == ask_django(rf, query, cookie, header)


def test_a_language_added_to_the_registry_reaches_nginx(static_nginx, rf, add):
    add(ZH_HANT)
    assert disagreements(static_nginx(), rf) == []


def test_chinese_phones_get_chinese_and_other_foreign_phones_english(static_nginx):
    connection = http.client.HTTPConnection(static_nginx(), timeout=10)
    for header in ("zh-CN,zh;q=0.9", "zh", "zh-SG", "zh-Hans-CN", "zh-TW", "zh-HK"):
        assert ask_nginx(connection, "", "", header)[0] == "zh-hans", header
    for header in ("fr-FR", "ko-KR,ko;q=0.9", "ja", "th-TH,th;q=0.9", "*"):
        assert ask_nginx(connection, "", "", header)[0] == "en", header
    assert ask_nginx(connection, "", "", "")[0] == "vi"
    assert ask_nginx(connection, "", "", "vi-VN,vi;q=0.9")[0] == "vi"
