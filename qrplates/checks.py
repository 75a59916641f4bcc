"""Warn at start-up when the configured address makes every plate's QR code bigger than it
should be: each version up shrinks the modules printed on a plate of the same size."""

from django.conf import settings
from django.core.checks import Warning, register

from qrplates import codes, rendering

# The smallest version each letter case reaches with a short host like qr.langson.gov.vn.
EXPECTED_VERSION = {"upper": 3, "hybrid": 4, "lower": 5}


@register()
def check_qr_size(app_configs=None, **kwargs) -> list[Warning]:
    sample = "0" * codes.CODE_LENGTH
    text = rendering.payload(sample)
    version = rendering.qr_version(text)
    expected = EXPECTED_VERSION[settings.QR_PAYLOAD_CASE]
    warnings = []
    if version > expected:
        warnings.append(
            Warning(
                f"Plate QR codes will be version {version} ({17 + 4 * version} modules a side) "
                f"instead of {expected}: PUBLIC_BASE_URL ({settings.PUBLIC_BASE_URL}) makes the "
                f"payload {len(text)} characters long.",
                hint="A shorter host name keeps the modules big enough to read from afar.",
                id="qrplates.W001",
            )
        )
    if settings.QR_PAYLOAD_CASE == "upper" and settings.PUBLIC_BASE_URL.count("/") > 2:
        warnings.append(
            Warning(
                "PUBLIC_BASE_URL has a path; the upper-case QR payload upper-cases it too.",
                hint="Serve the site at the root of its host, or set QR_PAYLOAD_CASE=hybrid.",
                id="qrplates.W002",
            )
        )
    return warnings
