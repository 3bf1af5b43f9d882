"""After every fulfilment test, the doctor's cross-checks hold: open tasks have their units held, and no order holds stock
it no longer needs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tvers.bootstrap import Tvers
from tvers.workflows.consistency import dangling_order_reservations, tasks_without_stock


@pytest.fixture(autouse=True)
def stock_and_tasks_agree(tvers: Tvers) -> Iterator[None]:
    yield
    with tvers.uow(read_only=True) as uow:
        assert (tasks_without_stock(uow), dangling_order_reservations(uow)) == ([], [])
