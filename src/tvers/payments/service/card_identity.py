"""A card's fingerprint becomes a `payment_card_fingerprint` identity of the paying customer.

A fingerprint another profile already holds is left alone: payments never merge customers. Two profiles
sharing a card is evidence for identity resolution (the customers module's resolver and staff decide, ADR 0005),
and a family card or a shared company card is common enough that a payment must not act on it.
"""

from __future__ import annotations

from tvers.channels.errors import ChannelNotFound
from tvers.customers import service as customers
from tvers.customers.errors import CustomerErased, CustomerNotFound, InvalidIdentity, LooksLikeCardNumber
from tvers.customers.identity_rules import IdentityType
from tvers.customers.schemas import IdentityAddIn
from tvers.db.uow import Uow

_SKIPPED = (CustomerNotFound, CustomerErased, InvalidIdentity, LooksLikeCardNumber, ChannelNotFound)


def attach_card_identity(uow: Uow, *, customer_id: str, fingerprint: str, channel: str | None) -> bool:
    """True when the identity was added; False when someone holds it already or the customer cannot take it.

    Every refusal skipped here is raised before customers writes anything, so the payment's transaction goes on.
    A concurrent command attaching the same fingerprint between the lookup and the insert makes the insert
    fail with IdentityTaken: that rolls back this step, which is safe to run again (results are recorded once).
    """
    kind = IdentityType.PAYMENT_CARD_FINGERPRINT
    try:
        if customers.lookup_customer_id(uow, kind, fingerprint) is not None:
            return False
        customers.add_identity(uow, customer_id, IdentityAddIn(type=kind, value=fingerprint, is_verified=True, channel=channel))
    except _SKIPPED:
        return False
    return True
