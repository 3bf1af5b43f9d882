import pytest
from hypothesis import given
from hypothesis import strategies as st

from tvers.catalog.gtin import InvalidGtin, gs1_check_digit, make_gtin13, normalize_gtin


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4006381333931", "04006381333931"),  # EAN-13
        ("73513537", "00000073513537"),  # EAN-8
        ("036000291452", "00036000291452"),  # UPC-A
        ("10036000291459", "10036000291459"),  # GTIN-14
        ("400-6381 333931", "04006381333931"),  # separators as typed on labels
    ],
)
def test_valid_gtins_normalise_to_14_digits(value: str, expected: str) -> None:
    assert normalize_gtin(value) == expected


def test_wrong_check_digit_names_the_right_one() -> None:
    with pytest.raises(InvalidGtin) as raised:
        normalize_gtin("4006381333932")

    assert raised.value.message == "GTIN check digit should be 1"
    assert raised.value.code == "invalid_gtin"


@pytest.mark.parametrize("value", ["40063813339", "400638133393100", "1234567", "", " - "])
def test_wrong_length_is_refused(value: str) -> None:
    with pytest.raises(InvalidGtin) as raised:
        normalize_gtin(value)

    assert raised.value.message == "GTIN must be 8, 12, 13 or 14 digits"


@pytest.mark.parametrize("value", ["40063813339A1", "4006381333931.", "٤006381333931"])
def test_non_digits_are_refused(value: str) -> None:
    with pytest.raises(InvalidGtin) as raised:
        normalize_gtin(value)

    assert raised.value.message == "GTIN must contain only digits"


def test_check_digit_of_known_bodies() -> None:
    assert gs1_check_digit("400638133393") == 1
    assert gs1_check_digit("7351353") == 7
    assert gs1_check_digit("03600029145") == 2


def test_make_gtin13_appends_the_check_digit() -> None:
    assert make_gtin13("400638133393") == "4006381333931"
    with pytest.raises(InvalidGtin):
        make_gtin13("40063813339")


bodies = st.text(alphabet="0123456789", min_size=12, max_size=12)


@given(body=bodies)
def test_made_gtins_always_validate(body: str) -> None:
    gtin = make_gtin13(body)

    assert normalize_gtin(gtin) == "0" + gtin


@given(body=bodies, position=st.integers(min_value=0, max_value=12), shift=st.integers(1, 9))
def test_a_single_changed_digit_is_always_rejected(body: str, position: int, shift: int) -> None:
    gtin = make_gtin13(body)
    changed = str((int(gtin[position]) + shift) % 10)

    with pytest.raises(InvalidGtin):
        normalize_gtin(gtin[:position] + changed + gtin[position + 1 :])
