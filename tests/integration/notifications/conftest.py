"""Notification tests work on the checkout shop: a warehouse `oslo-dc` and a store `bergen` offering pickup and curbside."""

from __future__ import annotations

import pytest

from support.checkout import Shop, make_shop
from tvers.bootstrap import Tvers


@pytest.fixture
def shop(tvers: Tvers) -> Shop:
    return make_shop(tvers)
