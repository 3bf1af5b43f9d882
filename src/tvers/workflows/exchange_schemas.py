"""What is sent to exchange returned goods for others: the replacement with a return, and the difference with the receipt.

They live with the workflows because an exchange is a return and a new sale at once (a delivery, tenders): shapes of the
checkout the returns module may not know of.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from tvers.kernel.shapes import Code, Strict
from tvers.payments.schemas import TenderIn
from tvers.returns.schemas import ReceiveIn, ReturnIn
from tvers.workflows.checkout_schemas import DeliveryIn, OrderLineIn


class ExchangeIn(Strict):
    """The replacement: reserved when the return is asked for, ordered (a linked order) when the goods come in."""

    lines: list[OrderLineIn] = Field(min_length=1, max_length=50)
    delivery: DeliveryIn = Field(description="Carry-out at the till where the goods come back, shipped, or collected.")
    channel: Code | None = Field(default=None, description="Priced on this channel; default: the channel the goods were sold on.")

    @model_validator(mode="after")
    def _one_line_per_sku(self) -> ExchangeIn:
        skus = [line.sku for line in self.lines]
        if len(set(skus)) != len(skus):
            raise ValueError("each SKU once: put the whole quantity on one line")
        return self


class ReturnRequestIn(ReturnIn):
    exchange: ExchangeIn | None = Field(default=None, description="Exchange the returned units for these instead of a refund.")


class ReceiptIn(ReceiveIn):
    tenders: list[TenderIn] = Field(default_factory=list, max_length=4, description=(
        "What pays the difference when the replacement costs more than the returned units were paid (an exchange)."))
