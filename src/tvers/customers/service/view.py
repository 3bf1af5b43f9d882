"""The one customer view for staff and customer service: profile, consent, loyalty, balances, carts, timeline."""

from __future__ import annotations

from sqlalchemy import select

from tvers.carts import service as carts
from tvers.customers.models import Activity
from tvers.customers.schemas import ActivityOut
from tvers.customers.service import consents, gift_cards, loyalty, store_credit
from tvers.customers.service._shared import current_row, customer_out
from tvers.customers.view_schemas import CustomerView
from tvers.db.uow import Uow

TIMELINE_LIMIT = 200


def customer_view(uow: Uow, customer_id: str) -> CustomerView:
    row = current_row(uow, customer_id)
    profile = customer_out(uow, row, asked_for=customer_id)
    return CustomerView(
        profile=profile,
        identities=profile.identities,
        consents=consents.current_consents(uow, row.id),
        consent_history=f"/api/v1/customers/{row.id}/consents/history",
        loyalty=loyalty.loyalty_summary(uow, row.id),
        gift_cards=gift_cards.owned_gift_cards(uow, row.id),
        store_credit=store_credit.store_credit_of(uow, row.id).balances,
        carts=carts.customer_carts(uow, row.id),
        timeline=timeline(uow, row.id),
        orders=[],
        returns=[],
    )


def timeline(uow: Uow, customer_id: str) -> list[ActivityOut]:
    """Newest first: created on channel X, identity added from Y, merged, consent changes, points."""
    rows = uow.session.scalars(select(Activity).where(Activity.customer_id == customer_id)
                               .order_by(Activity.at.desc(), Activity.id.desc()).limit(TIMELINE_LIMIT))
    return [ActivityOut(kind=r.kind, channel=r.channel, detail=dict(r.detail), at=r.at) for r in rows]
