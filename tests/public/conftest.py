# The scan path is tried on the plates' own fixtures.
from tests.qrplates.conftest import person, plate, relic, street  # noqa: F401
