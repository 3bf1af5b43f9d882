"""Property: whatever captures, refunds and provider answers arrive, no payment refunds more than it captured.

The same arithmetic the service runs (rules.allocate over what each payment has left, Totals.reserve and
Totals.settle) is driven by random sequences; a refused decision must leave every payment as it was.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tvers.payments.rules import Totals, allocate, status_of
from tvers.payments.schemas import PaymentStatus, TransactionKind

CAPTURE, REFUND = TransactionKind.CAPTURE, TransactionKind.REFUND
operations = st.lists(st.tuples(st.sampled_from(["capture", "refund", "answer"]), st.integers(1, 60_000), st.booleans()),
                      max_size=40)


def decide(payments: list[Totals], kind: TransactionKind, amount: int, pending: list[tuple[int, TransactionKind, int]]) -> list[Totals]:
    left = [t.refundable if kind is REFUND else t.capturable for t in payments]
    try:
        parts = allocate(amount, left)
    except ValueError:
        return payments  # refused: nothing changes
    assert sum(parts) == amount and all(0 <= p <= c for p, c in zip(parts, left, strict=True))
    changed = list(payments)
    for index, part in enumerate(parts):
        if part:
            changed[index] = changed[index].reserve(kind, part)
            pending.append((index, kind, part))
    return changed


def check(totals: Totals) -> None:
    assert totals.refunded + totals.pending_refund <= totals.captured
    assert totals.captured + totals.voided + totals.pending_capture + totals.pending_void <= totals.authorized
    assert min(totals.captured, totals.refunded, totals.pending_capture, totals.pending_refund) >= 0


@settings(max_examples=300, deadline=None)
@given(authorized=st.lists(st.integers(1, 100_000), min_size=1, max_size=4), steps=operations)
def test_no_payment_ever_refunds_more_than_it_captured(authorized, steps):
    payments = [Totals(authorized=a) for a in authorized]
    pending: list[tuple[int, TransactionKind, int]] = []
    for operation, amount, succeeded in steps:
        if operation == "answer":
            if pending:
                index, kind, part = pending.pop(amount % len(pending))
                payments[index] = payments[index].settle(kind, part, succeeded=succeeded)
        else:
            payments = decide(payments, CAPTURE if operation == "capture" else REFUND, amount, pending)
        for totals in payments:
            check(totals)
            assert status_of(totals, current=PaymentStatus.PENDING) is not PaymentStatus.PENDING


@given(amount=st.integers(0, 10_000), capacities=st.lists(st.integers(-5, 5_000), max_size=6))
def test_allocation_takes_in_order_and_never_beyond_a_capacity(amount, capacities):
    try:
        parts = allocate(amount, capacities)
    except ValueError:
        assert amount > sum(max(c, 0) for c in capacities)
        return
    assert sum(parts) == amount
    assert all(0 <= part <= max(capacity, 0) for part, capacity in zip(parts, capacities, strict=True))
    filled = [part == max(c, 0) for part, c in zip(parts, capacities, strict=True)]
    assert all(filled[: next((i for i, f in enumerate(filled) if not f), len(filled))])  # earlier ones fill first
