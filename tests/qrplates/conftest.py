import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client

from qrplates import batches, services
from qrplates.models import PRINTER_GROUP, Plate, PrintBatch
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


# Print batches and the print shop (test_artwork_batches.py, test_batch_files.py).


@pytest.fixture
def printer(django_user_model):
    user = django_user_model.objects.create_user(
        "inlangson", password="pw-printer-1", is_staff=True, first_name="In Lạng Sơn"
    )
    user.groups.add(Group.objects.get(name=PRINTER_GROUP))
    return user


@pytest.fixture
def printer_client(printer) -> Client:
    client = Client()
    client.force_login(printer)
    return client


@pytest.fixture
def sent_batch(demo_plates, printer, staff) -> PrintBatch:
    plates = demo_plates[:4]
    for plate in plates:
        services.plate_transition(plate=plate, status=Plate.Status.ARTWORK_APPROVED)
    batch = batches.batch_create(name="Tam Thanh, tháng 11", plates=plates, by=staff)
    batch.png_dpi = 72
    batch.save(update_fields=["png_dpi"])
    return batches.batch_send(batch=batch, printer=printer)
