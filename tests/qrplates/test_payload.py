"""What a plate's QR code says, and how big it has to be."""

import pytest

from qrplates import rendering
from tests.qrplates.qr import decode_png, decode_svg
from tests.test_settings import run_check

LANG_SON = "https://qr.langson.gov.vn"
CODE = "7KQ2M9X"


def test_the_payload_is_the_short_address_in_upper_case_by_default(settings):
    settings.PUBLIC_BASE_URL = LANG_SON
    assert settings.QR_PAYLOAD_CASE == "upper"
    assert rendering.payload(CODE) == "HTTPS://QR.LANGSON.GOV.VN/Q/7KQ2M9X"


def test_upper_case_fits_version_3_at_level_h_read_by_an_independent_decoder(settings):
    settings.PUBLIC_BASE_URL = LANG_SON
    png = rendering.render_png(CODE)
    read = decode_png(png.content)
    assert read.text == "HTTPS://QR.LANGSON.GOV.VN/Q/7KQ2M9X"
    assert read.ec_level == "H"
    assert read.extra["Version"] == "3"  # 29 × 29 modules
    assert rendering.qr_version(rendering.payload(CODE)) == 3


@pytest.mark.parametrize(("case", "version"), [("upper", 3), ("hybrid", 4), ("lower", 5)])
def test_each_letter_case_needs_its_own_version(settings, case, version):
    settings.PUBLIC_BASE_URL = LANG_SON
    settings.QR_PAYLOAD_CASE = case
    text = rendering.payload(CODE)
    read = decode_png(rendering.render_png(CODE).content)
    assert read.text == text
    assert read.extra["Version"] == str(version)
    assert read.ec_level == "H"


def test_hybrid_keeps_scheme_and_host_lower_case_for_fussy_scanner_apps(settings):
    settings.PUBLIC_BASE_URL = LANG_SON
    settings.QR_PAYLOAD_CASE = "hybrid"
    assert rendering.payload(CODE) == "https://qr.langson.gov.vn/Q/7KQ2M9X"
    settings.QR_PAYLOAD_CASE = "lower"
    assert rendering.payload(CODE) == "https://qr.langson.gov.vn/q/7kq2m9x"


def test_the_svg_decodes_to_the_same_payload_as_the_png(settings):
    settings.PUBLIC_BASE_URL = LANG_SON
    svg = rendering.render_svg(CODE)
    assert svg.mime == "image/svg+xml" and svg.filename == "plate-7KQ2M9X.svg"
    read = decode_svg(svg.content)
    assert read.text == "HTTPS://QR.LANGSON.GOV.VN/Q/7KQ2M9X"
    assert read.extra["Version"] == "3"


def test_the_qr_code_keeps_its_quiet_zone():
    modules = rendering.matrix(rendering.payload(CODE, base_url=LANG_SON, case="upper"))
    assert len(modules) == 29 + 2 * 4
    for row in (*modules[:4], *modules[-4:]):
        assert not any(row)
    assert not any(row[i] for row in modules for i in (0, 1, 2, 3, -1, -2, -3, -4))


def test_a_malformed_payload_case_is_named():
    result = run_check(QR_PAYLOAD_CASE="mixed")
    assert result.returncode != 0
    assert "QR_PAYLOAD_CASE must be one of upper, hybrid, lower" in result.stderr
