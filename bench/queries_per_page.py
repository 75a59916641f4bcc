"""SQL queries per public page. Baseline: a place page with nothing linked to it. The same
page is then measured with ever more people, photos, sources and neighbours: the ratio stays
flat (no query per linked row). Then the demo's pages of every kind.

    .venv/bin/python bench/queries_per_page.py
"""

from _setup import django_with_demo


def count(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def crowded_place(size: int):
    """A scenic spot with `size` people (each with a street named after them), photos,
    sources and neighbours within a few hundred metres."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from sites.models import Person, PersonLink, Photo, ScenicSpot, Source, Status, Street

    published = Status.PUBLISHED
    place = ScenicSpot.objects.create(
        name_vi=f"Hang Thử {size}", lat=21.85, lon=106.75, status=published
    )
    buffer = io.BytesIO()
    Image.new("RGB", (640, 400), "#4a7a3a").save(buffer, "JPEG")
    for i in range(size):
        person = Person.objects.create(name_vi=f"Nhân vật {size}-{i}", status=published)
        PersonLink.objects.create(person=person, place=place, role=PersonLink.Role.HONOURED_HERE)
        Street.objects.create(name_vi=f"Phố {size}-{i}", named_after=person, status=published)
        Source.objects.create(place=place, title=f"Nguồn {i}")
        photo = Photo(place=place, caption=f"Ảnh {i}")
        photo.image.save(f"bench-{size}-{i}.jpg", ContentFile(buffer.getvalue()))
        ScenicSpot.objects.create(
            name_vi=f"Hang gần {size}-{i}", lat=21.85 + i / 5000, lon=106.7501, status=published
        )
    return place


def main() -> None:
    django_with_demo()
    from django.test import Client

    from sites.models import Person, Place

    client = Client()
    baseline = count(client, crowded_place(0).get_absolute_url())
    print(f"baseline: a place page with nothing linked: {baseline} queries")
    print(f"{'linked rows of each kind':>26}{'queries':>10}{'ratio':>8}")
    for size in (5, 20, 50):
        queries = count(client, crowded_place(size).get_absolute_url())
        print(f"{size:>26}{queries:>10}{queries / baseline:>8.2f}")

    pages = {
        "home": ["/vi/", "/en/"],
        "place": [
            p.get_absolute_url()
            for p in Place.objects.published().filter(external_id__startswith="demo:")
        ],
        "person": [
            p.get_absolute_url()
            for p in Person.objects.published().filter(external_id__startswith="demo:")
        ],
        "commune or ward": ["/vi/units/phuong-tam-thanh/", "/vi/units/phuong-luong-van-tri/"],
        "search": ["/vi/search/?q=tam+thanh", "/en/search/?q=ngo+thi+si"],
    }
    print(f"\n{'demo page':>16}{'pages':>7}{'max queries':>13}{'ratio':>8}")
    for name, urls in pages.items():
        worst = max(count(client, url) for url in urls)
        print(f"{name:>16}{len(urls):>7}{worst:>13}{worst / baseline:>8.2f}")


if __name__ == "__main__":
    main()
