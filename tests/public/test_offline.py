"""The service worker and the web app manifest: served from the root, never cached stale."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_from_the_root_and_always_revalidated(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    text = response.content.decode()
    assert text.startswith("self.STREETINFO = {")
    assert 'addEventListener("fetch"' in text


def test_everything_the_service_worker_stores_on_install_exists(client):
    text = client.get("/sw.js").content.decode()
    shell = re.search(r'"shell": \[([^\]]*)\]', text).group(1)
    urls = re.findall(r'"([^"]+)"', shell)
    assert "/vi/offline/" in urls and "/en/offline/" in urls
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 200, url
        # A static file served through WhiteNoise streams; a page does not.
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body, url


def test_a_new_deployment_changes_the_service_worker(client, monkeypatch):
    from public import views

    before = client.get("/sw.js").content
    monkeypatch.setattr(views, "shell_urls", lambda: ["/vi/offline/", "/static/js/site.abc123.js"])
    after = client.get("/sw.js").content
    assert re.search(rb'"version": "(\w+)"', before).group(1) != re.search(
        rb'"version": "(\w+)"', after
    ).group(1)


def test_the_offline_page_is_not_indexed(client):
    html = client.get("/en/offline/").content.decode()
    assert "No connection" in html
    assert '<meta name="robots" content="noindex">' in html


def test_the_web_app_manifest_names_the_site_in_the_visitors_language(client):
    client.cookies["lang"] = "en"
    data = client.get("/manifest.webmanifest").json()
    assert data["name"] == "Streetinfo Lạng Sơn"
    assert data["lang"] == "en"
    assert data["start_url"] == "/"
    assert {icon["sizes"] for icon in data["icons"]} >= {"192x192", "512x512"}
