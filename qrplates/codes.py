"""Plate codes: short, opaque, random, and typed by hand from a metal plate when a phone cannot
scan it.

A code is 6 random symbols and 1 check symbol from Crockford's base32 alphabet (digits and
upper-case letters without I, L, O and U, so nothing on the plate can be misread as something
else). Space: 32**6 = 1,073,741,824 codes; a province with 100,000 plates fills one ten-thousandth
of it, so a freshly drawn code collides with an existing one about once in 10,000 mints (and is
then drawn again).

Why 7 symbols: the QR payload `HTTPS://QR.LANGSON.GOV.VN/Q/` + code is 35 characters, all in the
QR alphanumeric set, and 35 is exactly what a version 3 symbol (29×29 modules) holds at error
correction level H. One more symbol would push every plate to version 4 and smaller modules.

The check symbol makes the code a word of a linear code over GF(32): reading the symbols as field
elements v_0 … v_6, a valid code has  Σ α^(6-j)·v_j = 0,  α a primitive element. Every position
has a different, non-zero weight α^(6-j), so
- a single wrong symbol changes the sum by α^k·e ≠ 0 (a field has no zero divisors), and
- swapping any two different symbols (adjacent or not) changes it by (α^j + α^k)·(a + b) ≠ 0;
both are always detected. The tests check this exhaustively.
"""

from __future__ import annotations

import secrets
import unicodedata
from enum import StrEnum

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DATA_LENGTH = 6
CODE_LENGTH = DATA_LENGTH + 1
SPACE_SIZE = len(ALPHABET) ** DATA_LENGTH

# Characters people type for the ones on the plate (Crockford's reading rules).
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Typed for readability, never part of a code.
_SEPARATORS = str.maketrans("", "", " -_.\u00a0\t")
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
# x^5 + x^2 + 1, a primitive polynomial: x (that is, 2) generates all 31 non-zero elements.
_MODULUS = 0b100101
# Anything longer is not a mistyped code, whatever it is: refuse before doing any work on it.
MAX_INPUT_LENGTH = 64


class Problem(StrEnum):
    EMPTY = "empty"
    CHARACTERS = "characters"
    LENGTH = "length"
    CHECK = "check"


class CodeError(ValueError):
    """Why a typed or scanned string is not a plate code. Views turn `problem` into a message
    in the visitor's language."""

    def __init__(self, problem: Problem, *, length: int = 0, characters: str = "") -> None:
        super().__init__(f"{problem}: length={length} characters={characters!r}")
        self.problem = problem
        self.length = length
        self.characters = characters


def _times_alpha(value: int) -> int:
    value <<= 1
    return value ^ _MODULUS if value & 0b100000 else value


def _syndrome(symbols: str) -> int:
    """Σ α^(n-1-j)·v_j over GF(32), by Horner's rule."""
    total = 0
    for symbol in symbols:
        total = _times_alpha(total) ^ _VALUE[symbol]
    return total


def check_symbol(data: str) -> str:
    """The symbol that makes `data` + symbol a valid code (`data` already canonical)."""
    return ALPHABET[_times_alpha(_syndrome(data))]


def is_valid(code: str) -> bool:
    """True for a canonical code (upper case, no separators) with a correct check symbol."""
    return (
        len(code) == CODE_LENGTH
        and all(symbol in _VALUE for symbol in code)
        and _syndrome(code) == 0
    )


def clean(raw: str) -> str:
    """What was typed, read the way the plate means it, not yet validated."""
    return unicodedata.normalize("NFKC", raw).upper().translate(_SEPARATORS).translate(_READ_AS)


def normalize(raw: str) -> str:
    """The canonical code for what a visitor typed or a scanner read, or `CodeError`.

    Case is ignored, spaces and dashes are dropped, full-width and other compatibility forms
    are folded (NFKC), and O is read as 0, I and L as 1.
    """
    if len(raw) > MAX_INPUT_LENGTH:
        raise CodeError(Problem.LENGTH, length=len(raw))
    text = clean(raw)
    if not text:
        raise CodeError(Problem.EMPTY)
    strangers = [symbol for symbol in dict.fromkeys(text) if symbol not in _VALUE]
    if strangers:
        shown = "".join(s for s in strangers if s.isprintable())[:5]
        raise CodeError(Problem.CHARACTERS, length=len(text), characters=shown)
    if len(text) != CODE_LENGTH:
        raise CodeError(Problem.LENGTH, length=len(text))
    if _syndrome(text) != 0:
        raise CodeError(Problem.CHECK, length=len(text))
    return text


def new_code() -> str:
    """A fresh random code. Random, not sequential: a code says nothing about its neighbours,
    so nobody can walk the plates by counting. `secrets`, because `random` is predictable."""
    data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_LENGTH))
    return data + check_symbol(data)
