from datetime import UTC, datetime, timedelta, timezone

import pytest

from tvers.kernel.ids import InvalidId, id_prefix, is_id, new_id


def test_new_id_is_prefix_and_upper_case_ulid() -> None:
    value = new_id("prd")

    prefix, separator, ulid = value.partition("_")
    assert (prefix, separator, len(ulid)) == ("prd", "_", 26)
    assert ulid == ulid.upper()
    assert is_id(value, prefix="prd")
    assert id_prefix(value) == "prd"


@pytest.mark.parametrize("prefix", ["", "Prd", "prd_x", "1prd", "p" * 17])
def test_bad_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError):
        new_id(prefix)


def test_ids_made_quickly_sort_in_creation_order_and_are_unique() -> None:
    ids = [new_id("ord") for _ in range(20_000)]

    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_backdated_id_carries_its_instant_and_sorts_before_now() -> None:
    then = datetime(2024, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=1)))

    old, new = new_id("ord", at=then), new_id("ord")

    assert old < new
    assert old[4:14] == new_id("ord", at=then.astimezone(UTC))[4:14]  # same 48-bit timestamp


def test_backdating_needs_an_aware_instant() -> None:
    with pytest.raises(ValueError):
        new_id("ord", at=datetime(2024, 3, 1, 12, 0))


VALID = "prd_01JD3V7Q8X0000000000000000"


def test_the_sample_id_is_valid() -> None:
    assert is_id(VALID, prefix="prd")


@pytest.mark.parametrize(
    "value",
    [
        VALID[:-1],  # 25 characters after the prefix
        VALID + "0",  # 27 characters after the prefix
        "prd_" + VALID[4:].lower(),  # lower-case ULID
        "prd_8" + VALID[5:],  # overflows 128 bits
        VALID[:-1] + "I",  # I is not Crockford base32
        VALID[4:],  # no prefix
        "PRD" + VALID[3:],  # upper-case prefix
        "prd-" + VALID[4:],  # wrong separator
    ],
)
def test_malformed_ids_are_not_ids(value: str) -> None:
    assert not is_id(value, prefix="prd")
    with pytest.raises(InvalidId):
        id_prefix(value)


def test_is_id_checks_the_prefix() -> None:
    value = new_id("prd")

    assert not is_id(value, prefix="ord")
