"""What shipped units are worth: any run of partial shipments adds up to the line exactly, never more, never a negative part."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tvers.orders.models import OrderLine
from tvers.orders.service import fulfilled_value
from tvers.orders.service.status import cancelled_part


@st.composite
def shipped_in_parts(draw: st.DrawFn) -> tuple[OrderLine, list[int]]:
    quantity = draw(st.integers(1, 40))
    cancelled = draw(st.integers(0, quantity - 1))
    line = OrderLine(quantity=quantity, cancelled_quantity=cancelled, total_minor=draw(st.integers(0, 10_000_000)))
    left, parts = quantity - cancelled, []
    while left:
        part = draw(st.integers(1, left))
        parts.append(part)
        left -= part
    return line, parts


@given(shipped_in_parts())
def test_partial_shipments_add_up_to_what_the_customer_pays_for_the_line(case: tuple[OrderLine, list[int]]) -> None:
    # given a line, some units cancelled, the rest shipped in any number of parts
    line, parts = case
    # when each shipment is valued as what the line is worth after it less what it was worth before
    shipped, values = 0, []
    for part in parts:
        values.append(fulfilled_value(line, shipped + part) - fulfilled_value(line, shipped))
        shipped += part
    # then no part is negative and together they are exactly the line less the cancelled units' share
    assert all(value >= 0 for value in values)
    assert sum(values) == line.total_minor - cancelled_part(line)


def test_a_three_unit_line_shipped_one_by_one_puts_the_odd_øre_on_the_last_unit() -> None:
    line = OrderLine(quantity=3, cancelled_quantity=0, total_minor=1000)
    assert [fulfilled_value(line, n) - fulfilled_value(line, n - 1) for n in (1, 2, 3)] == [333, 333, 334]
