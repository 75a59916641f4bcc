"""Start-up warns when the configured address would make plates' QR codes bigger."""

from qrplates.checks import check_qr_size


def test_the_provinces_short_host_raises_no_warning(settings):
    settings.PUBLIC_BASE_URL = "https://qr.langson.gov.vn"
    for case in ("upper", "hybrid", "lower"):
        settings.QR_PAYLOAD_CASE = case
        assert check_qr_size() == []


def test_a_long_host_is_warned_about_with_the_version_it_costs(settings):
    settings.PUBLIC_BASE_URL = "https://streetinfo.so-thong-tin-truyen-thong.langson.gov.vn"
    settings.QR_PAYLOAD_CASE = "upper"
    [warning] = check_qr_size()
    assert warning.id == "qrplates.W001"
    assert "version 6 (41 modules a side) instead of 3" in warning.msg


def test_a_path_in_the_base_address_is_warned_about_in_upper_case(settings):
    settings.PUBLIC_BASE_URL = "https://langson.gov.vn/qr"
    settings.QR_PAYLOAD_CASE = "upper"
    assert [w.id for w in check_qr_size()] == ["qrplates.W002"]
