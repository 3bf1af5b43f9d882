"""Published shapes of receipt-less returns: a customer's returnable lines, and a return asked for by SKU without a receipt."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from tvers.catalog.schemas import MoneyOut
from tvers.kernel.shapes import Strict
from tvers.returns.schemas import OverrideIn, ReasonCode, Text

Id = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class ReceiptlessLineIn(Strict):
    sku: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    quantity: int = Field(ge=1, le=100_000)
    reason: ReasonCode


class ReceiptlessReturnIn(Strict):
    customer_id: Id = Field(description="Found by the customer lookup (email, phone, card, loyalty number).")
    lines: list[ReceiptlessLineIn] = Field(min_length=1, max_length=200, description="Each SKU once.")
    note: Text | None = None
    override: OverrideIn | None = Field(default=None, description="Window and final sale only; admins and store staff only.")


class ReturnableLineOut(BaseModel):
    """Units of one order line the customer has and may bring back: handed over, not yet in any return."""

    order_id: str
    order_number: str
    channel: str = Field(description="The channel it was sold on; its policy applies wherever it comes back.")
    line_id: str
    sku: str
    title: str
    units_left: int
    unit_price_paid: MoneyOut = Field(description="What the line was charged (VAT included, after discounts) per unit, rounded "
                                                  "down; a refund counts the exact share.")
    handed_over_at: datetime | None
    is_inside_window: bool = Field(description="Inside the sold channel's return window for the line's category, not final sale.")
