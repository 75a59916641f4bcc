"""Search latency with 100,000 published places on PostgreSQL, against the same searches on the
demo content (about 40 places) and a lookup by primary key, all in the same run.

Synthetic streets, relics and scenic spots with Vietnamese names in both languages are written
with bulk_create (the parent rows) and one INSERT … SELECT per kind (the child rows), their
folded search text made exactly as Place.save() makes it; then ANALYZE. Each query goes through
Django's whole stack (test client, DEBUG=0): the public search page and the API's `?q=`. Queries
with and without diacritics, a typo that only the trigram index finds, one common word, and the
names of a ward and a commune (listed first). Each query's p50 and p95 are printed beside the
primary-key lookup's, measured in the same run, and against the 50 ms p95 budget.

    .venv/bin/python bench/search_100k.py [places, default 100000] [rounds, default 100]
"""

import itertools
import os
import random
import statistics
import sys
import time

from _server import base_env, collectstatic, demo_database, machine_load, prioritise

QUERIES = [
    "hoang van thu",  # no diacritics
    "Hoàng Văn Thụ",  # with
    "hoang van tu",  # a typo: only pg_trgm finds it
    "chùa tam thanh",
    "ky lua",
    "đền",  # one common word: many matches
    "dong kinh",  # a ward's name: the ward first
    "chi lang",  # a commune's name, and a relic's
]
BUDGET_P95_MS = 50
FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Hà",
    "Lương",
    "Chu",
    "Nông",
    "Vi",
]
MIDDLE = (  # noqa: SIM905
    "Văn Thị Đức Hữu Minh Quang Thanh Công Đình Xuân"
).split()
GIVEN = [
    "Thụ",
    "Tiên",
    "Lợi",
    "Hưng",
    "Đạo",
    "Sĩ",
    "Trãi",
    "Huệ",
    "Lai",
    "Thái",
    "Cừ",
    "Khải",
    "Tuấn",
    "Sơn",
    "Hải",
    "Long",
    "Bình",
    "An",
    "Phúc",
    "Thịnh",
    "Trung",
    "Nghĩa",
    "Tín",
    "Dũng",
    "Cường",
    "Hòa",
    "Lâm",
    "Kiên",
    "Tâm",
    "Phong",
    "Quý",
    "Vinh",
    "Lộc",
    "Nam",
    "Bắc",
    "Đông",
    "Tú",
    "Hiền",
]
PLACE_WORDS = [
    "Tam",
    "Thanh",
    "Nhị",
    "Kỳ",
    "Lừa",
    "Bắc",
    "Lệ",
    "Mẫu",
    "Chi",
    "Lăng",
    "Đồng",
    "Đăng",
    "Tô",
    "Thị",
    "Mai",
    "Pha",
    "Hoàng",
    "Đồng",
    "Văn",
    "Vỉ",
    "Khánh",
    "Na",
    "Sầm",
    "Lộc",
    "Bình",
    "Hữu",
    "Lũng",
    "Tràng",
    "Định",
    "Bình",
    "Gia",
    "Cao",
    "Lộc",
    "Yên",
    "Hòa",
    "Phú",
    "Xuân",
    "Tân",
]
STREET_PREFIX = [("Đường", "Street"), ("Phố", "Street"), ("Ngõ", "Lane")]
RELIC_PREFIX = [
    ("Đền", "Temple"),
    ("Chùa", "Pagoda"),
    ("Đình", "Communal House"),
    ("Miếu", "Shrine"),
]
SCENIC_PREFIX = [("Hang", "Cave"), ("Núi", "Mountain"), ("Động", "Grotto"), ("Thác", "Waterfall")]


def synthetic_names(count: int) -> list[tuple[str, str, str]]:
    """(kind, Vietnamese name, English name): 60% streets, 25% relics, 15% scenic spots."""
    rng = random.Random(8)
    people = [" ".join(p) for p in itertools.product(FAMILY, MIDDLE, GIVEN)]
    rows = []
    for _ in range(count):
        draw = rng.random()
        if draw < 0.60:
            (vi, en), person = rng.choice(STREET_PREFIX), rng.choice(people)
            lane = f"{rng.randint(1, 200)} " if vi == "Ngõ" else ""
            rows.append(("street", f"{vi} {lane}{person}", f"{lane}{person} {en}"))
        else:
            kind, prefixes = ("relic", RELIC_PREFIX) if draw < 0.85 else ("scenic", SCENIC_PREFIX)
            (vi, en), words = rng.choice(prefixes), " ".join(rng.sample(PLACE_WORDS, 2))
            rows.append((kind, f"{vi} {words}", f"{words} {en}"))
    return rows


def load_places(count: int) -> float:
    from django.db import connection, transaction
    from django.utils import timezone

    from lib.text import fold, slugify_vi
    from sites.models import Place, Relic, ScenicSpot, Status, Street

    started = time.perf_counter()
    now = timezone.now()
    places = [
        Place(
            kind=kind,
            name_vi=vi,
            name_en=en,
            summary_vi=f"{vi}: bản ghi thử số {i}.",
            summary_en=f"{en}: synthetic record {i}.",
            slug=f"{slugify_vi(vi)[:100]}-{i}",
            status=Status.PUBLISHED,
            published_at=now,
            search_text=" | ".join(fold(name) for name in (vi, en)),
            external_id=f"bench:{i}",
        )
        for i, (kind, vi, en) in enumerate(synthetic_names(count))
    ]
    with transaction.atomic():
        Place.objects.bulk_create(places, batch_size=5000)
        # Multi-table inheritance: bulk_create cannot write the child rows; one INSERT … SELECT
        # per kind does, with each child field's default.
        for model in (Street, Relic, ScenicSpot):
            fields = [f for f in model._meta.local_concrete_fields if not f.primary_key]
            columns = ", ".join(['"place_ptr_id"', *(f'"{f.column}"' for f in fields)])
            values = [f.get_db_prep_save(f.get_default(), connection) for f in fields]
            with connection.cursor() as cursor:
                cursor.execute(
                    f'INSERT INTO "{model._meta.db_table}" ({columns}) '
                    f"SELECT id{', %s' * len(values)} FROM sites_place "
                    "WHERE kind = %s AND external_id LIKE 'bench:%%'",
                    [*values, model.place_kind],
                )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def latencies(client, url: str, rounds: int) -> tuple[float, float]:
    client.get(url)  # warm-up
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(len(times) * 0.95))]


def measure(client, rounds: int) -> dict[tuple[str, str], tuple[float, float]]:
    from urllib.parse import quote

    results = {}
    for query in QUERIES:
        results[("search page", query)] = latencies(client, f"/vi/search/?q={quote(query)}", rounds)
        results[("API ?q=", query)] = latencies(client, f"/api/v1/places/?q={quote(query)}", rounds)
    return results


def main(count: int, rounds: int) -> None:
    database_url = demo_database("search")
    env = base_env(database_url, PAGE_CACHE="0")
    collectstatic(env)
    os.environ.update(env, DJANGO_SETTINGS_MODULE="streetinfo.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from sites.models import Place

    settings.ALLOWED_HOSTS = ["testserver"]
    from django.db import connection

    connection.ensure_connection()
    priority = prioritise(connection.connection.info.backend_pid)
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    demo_count = Place.objects.published().count()
    on_demo = measure(client, rounds)
    seconds = load_places(count)
    total = Place.objects.published().count()
    print(f"{count:,} synthetic places written in {seconds:.0f} s; {total:,} published in all")
    some = (
        Place.objects.filter(external_id=f"bench:{count // 2}").values_list("pk", flat=True).first()
    )
    by_pk = latencies(client, f"/api/v1/places/{some}/", rounds)
    # What a page of the API costs without a search: its 50 records serialized.
    by_list = latencies(client, "/api/v1/places/", rounds)
    at_scale = measure(client, rounds)

    print(f"\n{rounds} rounds each, latency in ms through Django's stack (DEBUG=0)")
    print(f"baseline: API lookup by primary key at {total:,} places: p50 {by_pk[0] * 1000:.1f}, "
          f"p95 {by_pk[1] * 1000:.1f}")  # fmt: skip
    print(f"API list without a search (first page, 50 places): p50 {by_list[0] * 1000:.1f}, "
          f"p95 {by_list[1] * 1000:.1f} ({by_list[0] / by_pk[0]:.1f} / "
          f"{by_list[1] / by_pk[1]:.1f} × the pk lookup)")  # fmt: skip
    print(
        f"{'':12}{'query':18}{f'{demo_count} places':>16}{f'{total:,} places':>20}"
        f"{'ratio p50':>11}{'÷ pk p50':>10}{'÷ pk p95':>10}{'budget':>8}"
    )
    print(f"{'':30}{'p50':>8}{'p95':>8}{'p50':>10}{'p95':>10}")
    for (where, query), (p50, p95) in at_scale.items():
        d50, d95 = on_demo[(where, query)]
        within = "ok" if p95 * 1000 <= BUDGET_P95_MS else "OVER"
        print(
            f"{where:12}{query:18}{d50 * 1000:>8.1f}{d95 * 1000:>8.1f}{p50 * 1000:>10.1f}"
            f"{p95 * 1000:>10.1f}{p50 / d50:>11.1f}{p50 / by_pk[0]:>10.1f}"
            f"{p95 / by_pk[1]:>10.1f}{within:>8}"
        )
    print(f"{machine_load()}; {priority}")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 100_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 100,
    )
