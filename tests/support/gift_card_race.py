"""A process that redeems one gift card as fast as it can (spawned by the race test and the hot-card benchmark)."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from tvers.bootstrap import build
from tvers.customers import service as customers
from tvers.customers.money_schemas import GiftCardRedeemIn
from tvers.kernel.errors import TversError
from tvers.settings import Settings


def redeem_many(url: str, code: str, amount: str, count: int, worker: int, start_at: float, results: Any) -> None:
    """Wait for the common start instant, then try `count` redemptions; report successes and error codes."""
    tvers = build(Settings(database_url=url, pool_size=2), subscribers=())
    outcomes: list[str] = []
    while time.time() < start_at:
        time.sleep(0.001)
    began = time.perf_counter()
    for attempt in range(count):
        try:
            with tvers.uow() as uow:
                customers.redeem_gift_card(uow, GiftCardRedeemIn(code=code, amount=Decimal(amount), currency="NOK",
                                                                 reference=f"w{worker}-{attempt}"))
                uow.commit()
            outcomes.append("ok")
        except TversError as error:
            outcomes.append(error.code)
        except Exception as error:  # anything else is a bug the test must see
            outcomes.append(f"unexpected:{type(error).__name__}:{error}")
    results.put((worker, outcomes, time.perf_counter() - began))
    tvers.close()
