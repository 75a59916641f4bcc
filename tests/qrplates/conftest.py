import pytest
from django.db import connection

from qrplates.models import Plate
from qrplates.services import plate_mint
from sites.models import Person, Relic, Status, Street

# A phone's browser, as the scan counter must see it.
PHONE = (
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Mobile Safari/537.36"
)


@pytest.fixture(autouse=True)
def postgres_only(request):
    """Tests marked `postgres` need real concurrency; SQLite runs them as skips."""
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.fixture
def demo_plates(demo) -> list[Plate]:
    """The demo data with its plates, as `load_demo` leaves a fresh install."""
    from qrplates.demo import mint_demo_plates

    mint_demo_plates()
    return list(Plate.objects.select_related("place", "person").order_by("code"))


@pytest.fixture
def street(db) -> Street:
    return Street.objects.create(
        name_vi="Phố Tông Đản",
        name_en="Tong Dan Street",
        summary_vi="Phố mang tên tù trưởng Tông Đản.",
        summary_en="Named after the chieftain Tông Đản.",
        body_vi="Lịch sử của phố.",
        body_en="The street's history.",
        lat=21.8460,
        lon=106.7580,
        status=Status.PUBLISHED,
    )


@pytest.fixture
def relic(db) -> Relic:
    return Relic.objects.create(
        name_vi="Đền Kỳ Cùng",
        name_en="Kỳ Cùng Temple",
        summary_vi="Đền bên sông Kỳ Cùng.",
        summary_en="A temple by the Kỳ Cùng river.",
        lat=21.8470,
        lon=106.7590,
        status=Status.PUBLISHED,
    )


@pytest.fixture
def person(db) -> Person:
    return Person.objects.create(
        name_vi="Tông Đản", name_en="Tông Đản", role_vi="Tù trưởng", status=Status.PUBLISHED
    )


@pytest.fixture
def plate(street) -> Plate:
    return plate_mint(target=street, label="Đầu phố")
