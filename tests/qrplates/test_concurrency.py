"""Two editors minting at the same instant never get the same code (PostgreSQL, real threads,
each with its own database connection and transaction)."""

import threading

import pytest
from django.db import connection

from qrplates import codes, services
from qrplates.models import Plate
from sites.models import Status, Street

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

EDITORS = 4


def test_simultaneous_mints_that_draw_the_same_code_end_with_distinct_codes(monkeypatch):
    street = Street.objects.create(name_vi="Phố Đồng Thời", status=Status.PUBLISHED)
    fresh_code = codes.new_code
    collision = fresh_code()
    start = threading.Barrier(EDITORS, timeout=30)
    drawn_by: dict[int, int] = {}
    lock = threading.Lock()

    def draw() -> str:
        # Every editor's first draw is the same code, and all insert it together.
        thread = threading.get_ident()
        with lock:
            drawn_by[thread] = drawn_by.get(thread, 0) + 1
            first = drawn_by[thread] == 1
        if first:
            start.wait()
            return collision
        return fresh_code()

    monkeypatch.setattr(services.codes, "new_code", draw)
    minted, errors = [], []

    def editor() -> None:
        try:
            minted.append(services.plate_mint(target=street).code)
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=editor) for _ in range(EDITORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(minted) == EDITORS == len(set(minted))
    assert minted.count(collision) == 1  # exactly one editor got the contested code
    assert Plate.objects.filter(place=street).count() == EDITORS
    assert sum(drawn_by.values()) == 2 * EDITORS - 1  # the others drew once more each


def test_many_editors_minting_at_once_all_succeed():
    street = Street.objects.create(name_vi="Phố Đông Người", status=Status.PUBLISHED)
    start = threading.Barrier(EDITORS, timeout=30)
    minted, errors = [], []

    def editor() -> None:
        try:
            start.wait()
            for _ in range(5):
                minted.append(services.plate_mint(target=street).code)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=editor) for _ in range(EDITORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(set(minted)) == len(minted) == EDITORS * 5
