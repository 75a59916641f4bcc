import pytest

from sites.models import AdminUnit, ScenicSpot

pytestmark = pytest.mark.django_db

NHI_THANH = (21.851727, 106.752232)  # showcaves.com, inside phường Tam Thanh
MAU_SON = (21.86667, 107.0)  # Wikipedia (rounded), inside xã Ba Sơn
HANOI = (21.0285, 105.8542)


def test_the_65_communes_and_wards_of_2025_are_loaded_with_boundaries():
    units = AdminUnit.objects.communes()
    assert units.count() == 65
    assert units.filter(level=AdminUnit.Level.WARD).count() == 4
    assert units.filter(level=AdminUnit.Level.COMMUNE).count() == 61
    assert not units.filter(boundary=None).exists()
    province = AdminUnit.objects.get(level=AdminUnit.Level.PROVINCE)
    assert set(units.values_list("parent", flat=True)) == {province.pk}
    assert AdminUnit.objects.get(code="05986").name_en == "Tam Thanh Ward"


@pytest.mark.parametrize(
    ("point", "code"), [(NHI_THANH, "05986"), (MAU_SON, "06196"), (HANOI, None)]
)
def test_the_unit_containing_a_point(point, code):
    found = AdminUnit.objects.containing(*point)
    assert (found.code if found else None) == code


def test_a_place_gets_its_commune_from_its_coordinates():
    cave = ScenicSpot.objects.create(name_vi="Động Nhị Thanh", lat=NHI_THANH[0], lon=NHI_THANH[1])
    assert cave.unit.code == "05986"
    assert cave.location_problems() == []


def test_coordinates_outside_the_province_are_flagged():
    spot = ScenicSpot.objects.create(name_vi="Hồ Gươm", lat=HANOI[0], lon=HANOI[1])
    assert spot.unit is None
    assert spot.location_problems() == ["Tọa độ nằm ngoài tỉnh Lạng Sơn."]


def test_a_chosen_unit_that_disagrees_with_the_coordinates_is_flagged():
    other = AdminUnit.objects.get(code="06196")
    cave = ScenicSpot.objects.create(
        name_vi="Động Nhị Thanh", lat=NHI_THANH[0], lon=NHI_THANH[1], unit=other
    )
    assert cave.location_problems() == ["Tọa độ thuộc Phường Tam Thanh, không thuộc Xã Ba Sơn."]


def test_a_merger_is_a_data_edit():
    old = AdminUnit.objects.get(code="06196")
    new = AdminUnit.objects.get(code="06187")
    old.valid_until = "2025-07-01"
    old.successor = new
    old.save()
    assert old not in AdminUnit.objects.communes()
    assert list(new.predecessors.all()) == [old]


def test_the_communes_cover_the_province_without_gap_or_overlap():
    shapely = pytest.importorskip("shapely")
    from shapely.geometry import shape

    communes = [shape(u.boundary) for u in AdminUnit.objects.communes()]
    province = shape(AdminUnit.objects.get(level=AdminUnit.Level.PROVINCE).boundary)
    union = shapely.union_all(communes)
    # The province is exactly their union (to the file's 1e-5 degree grid: about a metre).
    assert union.symmetric_difference(province).area < 1e-9
    # No overlap: their areas add up to the union's.
    assert sum(c.area for c in communes) == pytest.approx(union.area, rel=1e-9)
    # No gap: the union is one piece with no hole in it.
    assert union.geom_type == "Polygon"
    assert not union.interiors


def test_boundaries_are_read_once_per_process(django_assert_num_queries):
    AdminUnit.objects.containing(*NHI_THANH)
    with django_assert_num_queries(1):  # the unit itself, without its boundary
        assert AdminUnit.objects.containing(*MAU_SON).code == "06196"
    with django_assert_num_queries(0):
        assert AdminUnit.objects.containing(*HANOI) is None


def test_editing_a_unit_is_seen_at_once():
    AdminUnit.objects.containing(*NHI_THANH)
    tam_thanh = AdminUnit.objects.get(code="05986")
    tam_thanh.boundary = AdminUnit.objects.get(code="06196").boundary
    tam_thanh.save()
    assert AdminUnit.objects.containing(*NHI_THANH) is None


def test_every_unit_is_named_in_every_language():
    ward = AdminUnit.objects.get(name_vi="Phường Tam Thanh")
    assert (ward.name_en, ward.name_zh_hans) == ("Tam Thanh Ward", "Tam Thanh 坊")
    assert not AdminUnit.objects.filter(name_zh_hans="").exists()
