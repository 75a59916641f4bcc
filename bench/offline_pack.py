"""What "save this area for offline" stores on a phone, per commune or ward of the demo (every
area with a published place), in each language: the manifest, the pages and small photos it
lists, as the service worker keeps them (decompressed). Baseline, in the same run: the pack as it
was before it held the people's pages and the plates' scan addresses (the area's page, its
places' pages and photos, and a manifest without `scans`).

    .venv/bin/python bench/offline_pack.py
"""

import json

from _setup import django_with_demo


def fetched(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return len(response.content)


def main() -> None:
    django_with_demo()
    from django.conf import settings
    from django.test import Client

    from qrplates.demo import mint_demo_plates
    from sites.models import AdminUnit, published_q

    mint_demo_plates()
    client = Client()
    units = AdminUnit.objects.communes().filter(published_q("places")).distinct().order_by("slug")
    print("bytes stored per saved area (pages and photos decompressed, as the worker keeps them)")
    print(
        f"{'area':28}{'lang':>5}{'places':>7}{'people':>7}{'plates':>7}"
        f"{'before':>10}{'now':>10}{'ratio':>7}"
    )
    totals = [0, 0]
    for unit in units:
        for code, _name in settings.LANGUAGES:
            url = f"/{code}/units/{unit.slug}/offline.json"
            manifest = client.get(url).json()
            pages = {page: fetched(client, page) for page in manifest["pages"]}
            photos = sum(fetched(client, image) for image in manifest["images"])
            people = [page for page in pages if "/people/" in page]
            old_manifest = {k: v for k, v in manifest.items() if k != "scans"}
            old_manifest["pages"] = [page for page in manifest["pages"] if page not in people]
            before = (
                sum(size for page, size in pages.items() if page not in people)
                + photos
                + len(json.dumps(old_manifest, ensure_ascii=False).encode())
            )
            now = sum(pages.values()) + photos + len(client.get(url).content)
            totals[0] += before
            totals[1] += now
            print(
                f"{unit.slug:28}{code:>5}{len(pages) - 1 - len(people):>7}{len(people):>7}"
                f"{len(manifest['scans']):>7}{before:>10,}{now:>10,}{now / before:>7.2f}"
            )
    print(f"{'all areas':28}{'':>26}{totals[0]:>10,}{totals[1]:>10,}{totals[1] / totals[0]:>7.2f}")


if __name__ == "__main__":
    main()
