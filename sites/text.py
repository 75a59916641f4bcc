"""Text rules shared by every record: NFC storage, Vietnamese-aware folding and slugs."""

import re
import unicodedata

from django.utils.text import slugify

# Letters that Unicode does not decompose into a base letter plus a mark: folding by NFD alone
# would drop them ("Đường" would become "uong"), so they are mapped first.
_UNDECOMPOSABLE = str.maketrans({"đ": "d", "Đ": "D", "ƀ": "b", "Ɓ": "B"})
_SPACES = re.compile(r"\s+")


def nfc(value: str) -> str:
    """The stored form of every text: keyboards and copy-paste may send decomposed (NFD) text,
    which looks the same but would not match in search or in the uniqueness of a slug."""
    return unicodedata.normalize("NFC", value)


def fold(value: str) -> str:
    """Lower-case ASCII form for matching: "Động Tam Thanh" -> "dong tam thanh"."""
    decomposed = unicodedata.normalize("NFD", value.translate(_UNDECOMPOSABLE))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def slugify_vi(value: str) -> str:
    """ASCII slug: "Đường Trần Đăng Ninh" -> "duong-tran-dang-ninh"."""
    return slugify(fold(value))
