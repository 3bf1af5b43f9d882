"""A process that places orders with one coupon as fast as it can: quote and record its use in one transaction, as checkout does."""

from __future__ import annotations

import time
from typing import Any

from tvers.bootstrap import build
from tvers.kernel.errors import TversError
from tvers.quoting import service as quoting
from tvers.quoting.quote_schemas import QuoteIn, QuoteLineIn
from tvers.settings import Settings


def use_coupon_many(url: str, code: str, customer_id: str | None, count: int, worker: int, start_at: float, results: Any) -> None:
    """Wait for the common start instant, then try `count` orders; report "ok" or the error code of each."""
    tvers = build(Settings(database_url=url, pool_size=2), subscribers=())
    outcomes: list[str] = []
    while time.time() < start_at:
        time.sleep(0.001)
    for attempt in range(count):
        try:
            with tvers.uow() as uow:
                priced = quoting.quote(uow, QuoteIn(channel="web-no", lines=[QuoteLineIn(sku="BOOK-1", quantity=1)],
                                                    customer_id=customer_id, coupon_codes=[code]))
                quoting.record_coupon_use(uow, quote=priced, order_id=f"ord-{worker}-{attempt}", customer_id=priced.customer_id)
                uow.commit()
            outcomes.append("ok")
        except TversError as error:
            outcomes.append(error.code)
        except Exception as error:  # anything else is a bug the test must see
            outcomes.append(f"unexpected:{type(error).__name__}:{error}")
    results.put((worker, outcomes))
    tvers.close()
