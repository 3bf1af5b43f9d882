"""The built-in test card provider: deterministic by card number, honours idempotency keys, never moves money.

| card number          | authorisation                                                      |
|----------------------|--------------------------------------------------------------------|
| 4242 4242 4242 4242  | approved (visa)                                                    |
| 5555 5555 5555 4444  | approved (mastercard)                                              |
| 4000 0000 0000 0002  | declined: `card_declined`                                          |
| 4000 0000 0000 9995  | declined: `insufficient_funds`                                     |
| 4000 0000 0000 0119  | failed: `processing_error` (nothing authorised; try again)          |
| 4000 0000 0000 3220  | requires action (3-D Secure); approved once `complete_action` ran  |
| 4000 0000 0000 5126  | approved; every refund declined: `expired_or_canceled_card`        |
| any other valid one  | approved                                                           |

Capture and void always succeed; so does a refund, but to 4000 0000 0000 5126 (the card was closed since the sale).
The same idempotency key always gives the same answer (the
authorisation's reference is derived from the key), so re-sending is safe; `calls` records every call
so a test can prove that a retry authorised once.
"""

from __future__ import annotations

import hashlib
import threading

from tvers.payments.providers.base import CardDetails, Prepared, ProviderRequest, ProviderResult, ResultStatus
from tvers.payments.providers.cards import brand_of, card_digits, fingerprint_of
from tvers.payments.schemas import TenderCode, TenderIn, TestCardTender, TransactionKind

BEHAVIOURS = {"4000000000000002": "declined", "4000000000009995": "funds", "4000000000000119": "error", "4000000000003220": "action",
              "4000000000005126": "norefund"}
_DECLINES = {"declined": ("card_declined", "The card was declined."),
             "funds": ("insufficient_funds", "The card has insufficient funds.")}


class TestCardProvider:
    __test__ = False  # not a pytest class
    code = TenderCode.TEST_CARD

    def __init__(self, *, fingerprint_key: str) -> None:
        self._key = fingerprint_key
        self._lock = threading.Lock()
        self._completed: set[str] = set()
        self.calls: list[tuple[TransactionKind, str]] = []

    def prepare(self, tender: TenderIn) -> Prepared:
        assert isinstance(tender, TestCardTender)
        digits = card_digits(tender.card_number)
        fingerprint = fingerprint_of(digits, key=self._key)
        # The token a vault would hand out: it names the scripted behaviour, never the number.
        token = f"tct_{BEHAVIOURS.get(digits, 'approved')}_{fingerprint[4:24]}"
        return Prepared(card=CardDetails(token=token, brand=brand_of(digits), last4=digits[-4:], fingerprint=fingerprint))

    def complete_action(self, provider_reference: str) -> None:
        """The customer passed 3-D Secure for this authorisation (a test stands in for the bank's page)."""
        with self._lock:
            self._completed.add(provider_reference)

    def authorize(self, request: ProviderRequest) -> ProviderResult:
        self._log(request)
        reference = reference_for(request.idempotency_key)
        behaviour = _behaviour(request)
        if behaviour in _DECLINES:
            code, message = _DECLINES[behaviour]
            return ProviderResult(request, ResultStatus.DECLINED, provider_reference=reference, failure_code=code, failure_message=message)
        if behaviour == "error":
            return ProviderResult(request, ResultStatus.FAILED, failure_code="processing_error",
                                  failure_message="An error occurred while processing the card.")
        if behaviour == "action" and reference not in self._completed:
            return ProviderResult(request, ResultStatus.REQUIRES_ACTION, provider_reference=reference,
                                  action_url=f"https://test-card.invalid/3ds/{reference}")
        return ProviderResult(request, ResultStatus.SUCCEEDED, provider_reference=reference)

    def capture(self, request: ProviderRequest) -> ProviderResult:
        return self._succeed(request)

    def void(self, request: ProviderRequest) -> ProviderResult:
        return self._succeed(request)

    def refund(self, request: ProviderRequest) -> ProviderResult:
        if _behaviour(request) == "norefund":
            self._log(request)
            return ProviderResult(request, ResultStatus.DECLINED, provider_reference=reference_for(request.idempotency_key),
                                  failure_code="expired_or_canceled_card", failure_message="The card was closed; refund declined.")
        return self._succeed(request)

    def _succeed(self, request: ProviderRequest) -> ProviderResult:
        self._log(request)
        return ProviderResult(request, ResultStatus.SUCCEEDED, provider_reference=reference_for(request.idempotency_key))

    def _log(self, request: ProviderRequest) -> None:
        with self._lock:
            self.calls.append((request.operation, request.idempotency_key))

    def authorizations(self) -> set[str]:
        """Distinct authorisations made: one per idempotency key, however often it was sent."""
        return {key for operation, key in self.calls if operation is TransactionKind.AUTHORIZE}


def _behaviour(request: ProviderRequest) -> str:
    """The scripted behaviour the card's token names (`tct_{behaviour}_{fingerprint}`)."""
    token = request.card_token or ""
    return token.split("_")[1] if token.count("_") >= 2 else "approved"


def reference_for(idempotency_key: str) -> str:
    return "tca_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
