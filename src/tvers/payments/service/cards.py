"""What a checkout can know of a card before it is charged: its fingerprint, to recognise the customer who holds it."""

from __future__ import annotations

from collections.abc import Sequence

from tvers.payments.providers import Providers
from tvers.payments.schemas import TenderIn


def card_fingerprints(tenders: Sequence[TenderIn], *, providers: Providers) -> list[str]:
    """Fingerprints of the card tenders whose provider knows them up front (the test card; Stripe tells only after authorising)."""
    found = []
    for tender in tenders:
        if providers.is_local(tender.tender):
            continue
        card = providers.external(tender.tender).prepare(tender).card
        if card is not None and card.fingerprint:
            found.append(card.fingerprint)
    return found
