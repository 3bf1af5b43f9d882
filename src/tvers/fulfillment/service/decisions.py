"""What sourcing decided for an order, each time, and the units nothing could fulfil (needs attention)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tvers.db.uow import Uow
from tvers.fulfillment.events import NeedsAttention
from tvers.fulfillment.models import AttentionItem, SourcingDecision
from tvers.fulfillment.schemas import AttentionOut, DecisionOut

OPTIONS = ["retry_sourcing", "wait_for_transfer", "cancel_line"]


def record_decision(uow: Uow, order_id: str, *, trigger: str, plan: dict[str, Any], explanation: str) -> None:
    uow.session.add(SourcingDecision(order_id=order_id, trigger=trigger, plan=plan, explanation=explanation, decided_at=uow.clock.now()))


def decisions_of_order(uow: Uow, order_id: str) -> list[DecisionOut]:
    rows = uow.session.scalars(select(SourcingDecision).where(SourcingDecision.order_id == order_id).order_by(SourcingDecision.id))
    return [DecisionOut(trigger=r.trigger, explanation=r.explanation, plan=r.plan, decided_at=r.decided_at) for r in rows]


def needs_attention(uow: Uow, order_id: str, *, order_line_id: str, variant_id: str, sku: str, quantity: int,
                    delivery_method: str, reason: str) -> None:
    uow.session.add(AttentionItem(order_id=order_id, order_line_id=order_line_id, variant_id=variant_id, sku=sku, quantity=quantity,
                                  delivery_method=delivery_method, reason=reason, status="open", created_at=uow.clock.now(),
                                  resolved_at=None))
    uow.record(NeedsAttention(order_id=order_id, order_line_id=order_line_id, quantity=quantity, reason=reason))


def open_attention(uow: Uow, order_id: str) -> list[AttentionOut]:
    return [_out(r) for r in _open_rows(uow, order_id)]


def attention_of_order(uow: Uow, order_id: str) -> list[AttentionOut]:
    rows = uow.session.scalars(select(AttentionItem).where(AttentionItem.order_id == order_id).order_by(AttentionItem.id))
    return [_out(r) for r in rows]


def resolve_attention(uow: Uow, order_id: str, *, order_line_id: str | None = None, resolution: str) -> list[AttentionOut]:
    """Close the order's open items (of one line, or all) as `resourced` or `cancelled`; returns what they were."""
    rows = [r for r in _open_rows(uow, order_id) if order_line_id is None or r.order_line_id == order_line_id]
    closed = [_out(r) for r in rows]
    for row in rows:
        row.status, row.resolved_at = resolution, uow.clock.now()
    return closed


def orders_needing_attention(uow: Uow, *, limit: int = 100) -> list[str]:
    return list(uow.session.scalars(select(AttentionItem.order_id).where(AttentionItem.status == "open")
                                    .group_by(AttentionItem.order_id).limit(limit)))


def _open_rows(uow: Uow, order_id: str) -> list[AttentionItem]:
    return list(uow.session.scalars(select(AttentionItem).where(AttentionItem.order_id == order_id, AttentionItem.status == "open")
                                    .order_by(AttentionItem.id)))


def _out(row: AttentionItem) -> AttentionOut:
    return AttentionOut(id=row.id, order_line_id=row.order_line_id, sku=row.sku, quantity=row.quantity, reason=row.reason,
                        status=row.status, options=OPTIONS if row.status == "open" else [], created_at=row.created_at,
                        resolved_at=row.resolved_at)
