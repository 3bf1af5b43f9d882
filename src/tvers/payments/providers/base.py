"""The two provider protocols, and the requests and results that cross between the ledger and a provider.

LocalTender: money moves in our database, inside the caller's unit of work.
ExternalTender: a pure function of request → result (no database), never called with a transaction open;
every call carries an idempotency key the provider honours, so re-sending a request is always safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from tvers.db.uow import Uow
from tvers.kernel.money import Money
from tvers.payments.schemas import TenderCode, TenderIn, TransactionKind


@dataclass(frozen=True)
class CardDetails:
    """All Tvers keeps of a card: the provider's token, brand, last four digits and a fingerprint."""

    token: str | None = None
    brand: str | None = None
    last4: str | None = None
    fingerprint: str | None = None


@dataclass(frozen=True)
class Prepared:
    """What an external tender keeps from the checkout's input before anything is sent (step 1)."""

    card: CardDetails | None = None
    provider_reference: str | None = None


@dataclass(frozen=True)
class ProviderRequest:
    """One call to an external provider, as decided in a transaction; sent with none open."""

    order_id: str
    payment_id: str
    transaction_id: str
    tender: TenderCode
    operation: TransactionKind
    amount: Money
    idempotency_key: str
    provider_reference: str | None = None  # the provider's id of the payment, once it has one
    card_token: str | None = None


AuthorizationRequest = CaptureRequest = VoidRequest = RefundRequest = ProviderRequest


class ResultStatus(StrEnum):
    SUCCEEDED = "succeeded"
    DECLINED = "declined"  # the issuer said no: an expected outcome
    FAILED = "failed"  # the provider could not process it; nothing happened
    REQUIRES_ACTION = "requires_action"  # the customer must act (3-D Secure)
    UNKNOWN = "unknown"  # no answer (timeout, 5xx): re-send with the same key to learn what happened


@dataclass(frozen=True)
class ProviderResult:
    request: ProviderRequest
    status: ResultStatus
    provider_reference: str | None = None
    card: CardDetails | None = None
    is_captured: bool = False  # an authorisation that also took the money (marketplace)
    releases_rest: bool = False  # a capture after which the provider lets the uncaptured rest go (Stripe)
    failure_code: str | None = None
    failure_message: str | None = None
    action_url: str | None = None
    note: str | None = None

    @property
    def is_final(self) -> bool:
        return self.status not in (ResultStatus.UNKNOWN, ResultStatus.REQUIRES_ACTION)


@dataclass(frozen=True)
class LocalDebit:
    """What a local tender needs to give money back: the payment it debited, by reference."""

    payment_id: str
    customer_id: str | None
    channel: str | None
    amount: Money
    provider_reference: str | None
    points: int | None


@dataclass(frozen=True)
class TenderResult:
    """What a local debit did: the account it took from (a gift card id), and whether the money is already ours (cash)."""

    provider_reference: str | None = None
    is_captured: bool = False
    points: int | None = None


class LocalTender(Protocol):
    code: TenderCode

    def debit(self, uow: Uow, tender: TenderIn, *, amount: Money, reference: str, customer_id: str | None,
              channel: str | None) -> TenderResult:
        """Take `amount`; the same reference takes it once."""
        ...

    def restore(self, uow: Uow, debit: LocalDebit) -> None:
        """Give back all of a debit nothing was captured of (a checkout that did not complete); once."""
        ...

    def give_back(self, uow: Uow, debit: LocalDebit, amount: Money, *, reference: str) -> None:
        """Give back part of a debit (a refund, or the uncaptured rest); once per reference."""
        ...


class ExternalTender(Protocol):
    code: TenderCode

    def prepare(self, tender: TenderIn) -> Prepared:
        """Keep what may be kept of the input (a token, never a card number); pure, called in step 1."""
        ...

    def authorize(self, request: ProviderRequest) -> ProviderResult: ...

    def capture(self, request: ProviderRequest) -> ProviderResult: ...

    def void(self, request: ProviderRequest) -> ProviderResult: ...

    def refund(self, request: ProviderRequest) -> ProviderResult: ...
