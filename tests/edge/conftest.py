# The page cache and static mode are tried on the plates' own fixtures.
from tests.qrplates.conftest import demo_plates  # noqa: F401
