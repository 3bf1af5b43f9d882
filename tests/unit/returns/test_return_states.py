"""The return state machine and authorisation numbers: pure rules, no database."""

from __future__ import annotations

import pytest

from tvers.returns.errors import IllegalReturnTransition
from tvers.returns.return_states import RECEIVABLE, RELEASED, TRANSITIONS, check_move
from tvers.returns.schemas import ReturnStatus as S
from tvers.returns.service.authorisations import normalised


def test_every_status_has_a_row_and_final_ones_go_nowhere():
    assert set(TRANSITIONS) == set(S)
    assert TRANSITIONS[S.REFUNDED] == TRANSITIONS[S.CANCELLED] == frozenset()
    assert (set(RECEIVABLE), set(RELEASED)) == ({S.REQUESTED, S.EXPIRED}, {S.CANCELLED, S.EXPIRED})


@pytest.mark.parametrize(("current", "to"), [
    (S.REQUESTED, S.CANCELLED), (S.REQUESTED, S.EXPIRED), (S.EXPIRED, S.RECEIVED), (S.RECEIVED, S.REFUND_PENDING),
    (S.REFUND_PENDING, S.REFUND_FAILED), (S.REFUND_FAILED, S.REFUND_PENDING), (S.REFUND_FAILED, S.REFUNDED),
])
def test_allowed_moves(current, to):
    check_move(current, to, return_id="ret_1")


@pytest.mark.parametrize(("current", "to"), [
    (S.RECEIVED, S.CANCELLED), (S.REFUNDED, S.REFUND_FAILED), (S.EXPIRED, S.CANCELLED), (S.CANCELLED, S.RECEIVED),
    (S.REFUND_PENDING, S.REQUESTED),
])
def test_refused_moves(current, to):
    with pytest.raises(IllegalReturnTransition):
        check_move(current, to, return_id="ret_1")


@pytest.mark.parametrize("typed", ["RMA-7KQ2-M9XD", "rma-7kq2-m9xd", "7kq2m9xd", " 7KQ2 M9XD ", "RMA7KQ2M9XD", " rma 7kq2-m9xd"])
def test_a_number_is_found_however_it_is_typed(typed):
    assert normalised(typed) == "RMA-7KQ2-M9XD"


def test_a_code_that_itself_starts_like_the_prefix_is_kept_and_lookalikes_are_read_as_digits():
    assert normalised("RMA12345") == "RMA-RMA1-2345"
    assert normalised("rma-rma1-2345") == "RMA-RMA1-2345"
    assert normalised("7KQ2-O9IL") == "RMA-7KQ2-0911"
