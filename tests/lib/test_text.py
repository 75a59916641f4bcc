import unicodedata

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from lib.text import fold, from_spreadsheet_cell, slugify_vi, spreadsheet_cell
from sites.models import Person, Street


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Đường Trần Đăng Ninh", "duong-tran-dang-ninh"),
        ("Phố Mai Thế Chuẩn", "pho-mai-the-chuan"),
        ("Ải Chi Lăng", "ai-chi-lang"),
        ("Động Nhị Thanh", "dong-nhi-thanh"),
        ("ĐƯỜNG ĐỒNG ĐĂNG", "duong-dong-dang"),
        ("Cột cờ Phai Vệ", "cot-co-phai-ve"),
    ],
)
def test_slugs_fold_vietnamese_and_keep_d(name, slug):
    assert slugify_vi(name) == slug
    assert slugify_vi(unicodedata.normalize("NFD", name)) == slug


VIETNAMESE_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
)


@given(st.text(alphabet=VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + " -.,'"))
def test_slugs_are_always_plain_ascii(name):
    slug = slugify_vi(name)
    assert slug.isascii()
    assert all(ch.isalnum() or ch == "-" for ch in slug)


def test_fold_ignores_case_and_diacritics():
    assert fold("  Động   TAM Thanh ") == "dong tam thanh"
    assert fold(unicodedata.normalize("NFD", "Hoàng Văn Thụ")) == "hoang van thu"


@pytest.mark.django_db
def test_text_typed_decomposed_is_stored_composed():
    decomposed = unicodedata.normalize("NFD", "Phố Tông Đản")
    street = Street.objects.create(
        name_vi=decomposed, summary_vi=unicodedata.normalize("NFD", "Phố ở Kỳ Lừa")
    )
    stored = Street.objects.values_list("name_vi", "summary_vi").get(pk=street.pk)
    assert all(unicodedata.is_normalized("NFC", value) for value in stored)
    assert stored[0] == "Phố Tông Đản"
    assert street.slug == "pho-tong-dan"


def test_person_years_read_naturally_in_each_language():
    person = Person(name_vi="Ngô Thì Sĩ", birth_year=1726, death_year=1780)
    assert person.years == "1726 – 1780"
    person.birth_year_approx = True
    assert person.years == "khoảng 1726 – 1780"
    with translation.override("en"):
        assert person.years == "c. 1726 – 1780"
    assert Person(name_vi="Liễu Thăng", death_year=1427).years == "? – 1427"
    assert Person(name_vi="Tông Đản").years == ""


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://x.example","Bấm")', '\'=HYPERLINK("http://x.example","Bấm")'),
        ("+84 912 345 678", "'+84 912 345 678"),
        ("-Tổ dân phố 5", "'-Tổ dân phố 5"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("'=1+1", "''=1+1"),  # already quoted: one quote more, so the import gets it back
        ("'Ngõ' Chùa", "'Ngõ' Chùa"),
        ("-257", "-257"),  # a plain number is no formula
        ("-2+3", "'-2+3"),
        ("Phố Ngô Quyền", "Phố Ngô Quyền"),
        ("", ""),
    ],
)
def test_a_spreadsheet_never_reads_a_text_as_a_formula(text, written):
    assert spreadsheet_cell(text) == written
    assert from_spreadsheet_cell(written) == text
    assert spreadsheet_cell(1944) == 1944 and spreadsheet_cell(None) is None


@given(st.text(alphabet=st.sampled_from(["'", *FORMULA_STARTS, "1", ".", "a", "Đ", " "])))
def test_the_import_undoes_exactly_what_the_export_did(text):
    written = spreadsheet_cell(text)
    assert from_spreadsheet_cell(written) == text
    assert (
        not written.startswith(FORMULA_STARTS) or written.lstrip("-").replace(".", "", 1).isdigit()
    )
