"""Return policies: stored per channel and category prefix; the most specific one for a sold line wins."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from tvers.db.uow import Uow
from tvers.kernel.ids import new_id
from tvers.returns.models import ReturnPolicy
from tvers.returns.schemas import Receiptless, ReturnPolicyIn, ReturnPolicyOut

DEFAULT_WINDOW_DAYS = 30
BUILT_IN = ReturnPolicyOut(id=None, channel=None, category_prefix=None, window_days=DEFAULT_WINDOW_DAYS, is_final_sale=False,
                           receiptless=Receiptless.NONE, refund_shipping="never", restocking_percent=Decimal(0), restocking_fixed_minor=0,
                           gift_card_refund_as="gift_card", marketplace_refund="marketplace", created_at=None)


def set_policy(uow: Uow, data: ReturnPolicyIn) -> ReturnPolicyOut:
    """Create or replace the policy of (channel, category prefix)."""
    row = uow.session.scalar(select(ReturnPolicy).where(_is(ReturnPolicy.channel, data.channel),
                                                        _is(ReturnPolicy.category_prefix, data.category_prefix)))
    if row is None:
        row = ReturnPolicy(id=new_id("rpl"), channel=data.channel, category_prefix=data.category_prefix, created_at=uow.clock.now())
        uow.session.add(row)
    row.window_days, row.is_final_sale, row.receiptless = data.window_days, data.is_final_sale, data.receiptless.value
    row.refund_shipping, row.restocking_percent = data.refund_shipping, str(data.restocking_percent)
    row.restocking_fixed_minor, row.gift_card_refund_as = data.restocking_fixed_minor, data.gift_card_refund_as
    row.marketplace_refund, row.damaged_fee_percent = data.marketplace_refund, str(data.damaged_fee_percent)
    uow.session.flush()
    return _out(row)


def list_policies(uow: Uow) -> list[ReturnPolicyOut]:
    rows = uow.session.scalars(select(ReturnPolicy).order_by(ReturnPolicy.channel, ReturnPolicy.category_prefix, ReturnPolicy.id))
    return [_out(row) for row in rows]


def policy_for(uow: Uow, *, channel: str, category: str | None) -> ReturnPolicyOut:
    """channel + category > channel > category > every channel; the longest matching prefix among categories."""
    rows = uow.session.scalars(select(ReturnPolicy).where(or_(ReturnPolicy.channel == channel, ReturnPolicy.channel.is_(None))))
    matching = [row for row in rows if _covers(row.category_prefix, category)]
    if not matching:
        return BUILT_IN
    best = max(matching, key=lambda row: (row.channel is not None, row.category_prefix is not None, len(row.category_prefix or "")))
    return _out(best)


def _covers(prefix: str | None, category: str | None) -> bool:
    if prefix is None:
        return True
    return category is not None and (category == prefix or category.startswith(prefix.rstrip("/") + "/"))


def _is(column: InstrumentedAttribute[str | None], value: str | None) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def _out(row: ReturnPolicy) -> ReturnPolicyOut:
    return ReturnPolicyOut(id=row.id, channel=row.channel, category_prefix=row.category_prefix, window_days=row.window_days,
                           is_final_sale=row.is_final_sale, receiptless=Receiptless(row.receiptless), refund_shipping=row.refund_shipping,
                           restocking_percent=Decimal(row.restocking_percent), restocking_fixed_minor=row.restocking_fixed_minor,
                           gift_card_refund_as=row.gift_card_refund_as, marketplace_refund=row.marketplace_refund,
                           damaged_fee_percent=Decimal(row.damaged_fee_percent), created_at=row.created_at)
