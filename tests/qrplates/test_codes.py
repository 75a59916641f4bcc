"""Plate codes: typed by hand from a plate, so a slip of the finger must never land elsewhere."""

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qrplates import codes
from qrplates.codes import ALPHABET, CODE_LENGTH, CodeError, Problem

data_parts = st.text(alphabet=ALPHABET, min_size=codes.DATA_LENGTH, max_size=codes.DATA_LENGTH)
valid_codes = data_parts.map(lambda data: data + codes.check_symbol(data))
positions = st.integers(min_value=0, max_value=CODE_LENGTH - 1)


def is_accepted(text: str) -> bool:
    try:
        codes.normalize(text)
    except CodeError:
        return False
    return True


def test_a_code_is_seven_symbols_from_an_alphabet_without_look_alikes():
    assert len(ALPHABET) == 32
    assert not set("ILOU") & set(ALPHABET)
    assert CODE_LENGTH == 7
    assert codes.SPACE_SIZE == 32**6 == 1_073_741_824


def test_minted_codes_are_valid_canonical_and_random():
    minted = [codes.new_code() for _ in range(2000)]
    assert all(codes.is_valid(code) and codes.normalize(code) == code for code in minted)
    assert len(set(minted)) == len(minted)
    # Random, not sequential: first symbols spread over the alphabet.
    assert len({code[0] for code in minted}) > 25


@given(valid_codes)
def test_every_valid_code_normalizes_to_itself(code):
    assert codes.normalize(code) == code


@given(valid_codes, st.data())
def test_letter_case_separators_and_look_alikes_are_read_as_meant(code, data):
    typed = "".join(
        data.draw(
            st.sampled_from(
                {"0": ["0", "o", "O"], "1": ["1", "i", "I", "l", "L"]}.get(ch, [ch, ch.lower()])
            )
        )
        for ch in code
    )
    spaced = f" {typed[:3]}-{typed[3:]} "
    assert codes.normalize(typed) == code
    assert codes.normalize(spaced) == code


@given(valid_codes, positions, st.sampled_from(ALPHABET))
def test_every_single_substitution_is_caught(code, position, symbol):
    if code[position] == symbol:
        return
    typo = code[:position] + symbol + code[position + 1 :]
    assert not codes.is_valid(typo)
    with pytest.raises(CodeError) as error:
        codes.normalize(typo)
    assert error.value.problem == Problem.CHECK


@given(valid_codes, st.integers(min_value=0, max_value=CODE_LENGTH - 2))
def test_every_adjacent_swap_is_caught(code, position):
    if code[position] == code[position + 1]:
        return
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert not codes.is_valid(swapped)


@given(st.text(max_size=80))
def test_any_text_is_either_a_valid_code_or_a_reasoned_refusal(text):
    try:
        code = codes.normalize(text)
    except CodeError as error:
        assert error.problem in set(Problem)
    else:
        assert codes.is_valid(code)


def test_every_error_on_a_sample_of_codes_exhaustively():
    """For 300 codes: all 7 × 31 substitutions and all 6 adjacent swaps are refused."""
    rng = random.Random(20261123)
    for _ in range(300):
        data = "".join(rng.choice(ALPHABET) for _ in range(codes.DATA_LENGTH))
        code = data + codes.check_symbol(data)
        for position, symbol in itertools.product(range(CODE_LENGTH), ALPHABET):
            if symbol != code[position]:
                assert not is_accepted(code[:position] + symbol + code[position + 1 :])
        for position in range(CODE_LENGTH - 1):
            a, b = code[position], code[position + 1]
            if a != b:
                assert not is_accepted(code[:position] + b + a + code[position + 2 :])


def test_detection_holds_for_every_code_not_just_a_sample():
    """The check sum is linear: an error changes it by an amount that depends on the error
    alone, never on the rest of the code. So comparing the sums of two words that differ only by
    the error, for every possible error, proves detection for all 2^30 codes: a valid code has
    sum 0, and its mistyped form a different sum. Covered: every substitution at every position,
    and every swap of two different symbols at any two positions (adjacent or not)."""
    for position, symbol in itertools.product(range(CODE_LENGTH), ALPHABET[1:]):
        typo = ["0"] * CODE_LENGTH
        typo[position] = symbol
        assert codes._syndrome("".join(typo)) != codes._syndrome("0" * CODE_LENGTH)
    for i, j in itertools.combinations(range(CODE_LENGTH), 2):
        for a, b in itertools.permutations(ALPHABET, 2):
            word, swapped = ["0"] * CODE_LENGTH, ["0"] * CODE_LENGTH
            word[i], word[j] = a, b
            swapped[i], swapped[j] = b, a
            assert codes._syndrome("".join(word)) != codes._syndrome("".join(swapped))


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", Problem.EMPTY),
        ("  - ", Problem.EMPTY),
        ("ABC", Problem.LENGTH),
        ("ABCDEFGH", Problem.LENGTH),
        ("A" * 10_000, Problem.LENGTH),
        ("ABCDEFU", Problem.CHARACTERS),
        ("ĐƯỜNG12", Problem.CHARACTERS),
        ("AB\x00CDEF", Problem.CHARACTERS),
        ("%2e%2e%2f", Problem.CHARACTERS),
    ],
)
def test_malformed_input_says_what_is_wrong(typed, problem):
    with pytest.raises(CodeError) as error:
        codes.normalize(typed)
    assert error.value.problem == problem


def test_full_width_characters_from_a_phone_keyboard_are_folded():
    code = codes.new_code()
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code)
    assert codes.normalize(full_width) == code
