"""Schemathesis generates requests from the OpenAPI schema, valid and invalid, for every
operation, and checks each answer: never a server error, and always a status, content type and
body that the schema documents. It calls the WSGI app in-process (no server, no port).

Run by `.ci/run` on PostgreSQL (`pytest -m fuzz`), deterministic and bounded: API_FUZZ_EXAMPLES
examples per operation (default 25). Raise it locally to search harder.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from streetinfo.wsgi import application
from tests.front import through_front_server

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "25"))


@pytest.fixture(autouse=True)
def world(demo, settings):
    """The demo data and its plates to read, and no throttling to cut the run short."""
    from qrplates.demo import mint_demo_plates

    mint_demo_plates()
    settings.API_THROTTLE_ANON = settings.API_THROTTLE_EXPORT = "1000000/minute"


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The WSGI handler closes the database connection after each request, which would end
    the test's transaction; Django's own test client switches that off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Loaded at collection: one test per operation, named after it. Making the schema reads no
# database, which pytest-django does not open before the tests run.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", through_front_server(application)
)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_request_as_its_schema_says(case, staff_token):
    # Reads go out anonymous, as the public's do; writes with a staff token, so that the write
    # path (validation, saving) is fuzzed too and not only its 401.
    headers = (
        {"Authorization": f"Token {staff_token}"} if case.method not in {"GET", "HEAD"} else {}
    )
    # The in-process WSGI transport does not undo GZipMiddleware's compression.
    headers["Accept-Encoding"] = "identity"
    # Not `positive_data_acceptance`: it wants every schema-valid request accepted, but the
    # records' own rules (a free address, coordinates in Vietnam, a date that exists, a radius
    # only with a point) are beyond what a schema can say, and refusing those is right.
    case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
