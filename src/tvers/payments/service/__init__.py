"""Payment use cases; each takes the unit of work (or, for provider calls, none) and never commits.

A checkout: `check_tenders` → step 1 `open_payments` → step 2 `external_authorizations` + `authorize` (no
transaction) → step 3 `record_results`. On failure: `voids_for` + `void` + `record_results`, `restore_local_tenders`.
Later: `captures_for`/`capture_payment` + `capture`, `refunds_for`/`refund_payment` + `refund`, each recorded
with `record_results`. The sweep re-sends `pending_requests` (same keys) and records what comes back.
"""

from tvers.payments.providers import Providers, build_providers
from tvers.payments.providers.base import (
    AuthorizationRequest,
    CaptureRequest,
    ProviderRequest,
    ProviderResult,
    RefundRequest,
    ResultStatus,
    VoidRequest,
)
from tvers.payments.rules import Applied
from tvers.payments.service.calls import authorize, call_provider, capture, refund, void
from tvers.payments.service.card_identity import attach_card_identity
from tvers.payments.service.cards import card_fingerprints
from tvers.payments.service.compensation import external_authorizations, pending_requests, restore_local_tenders, voids_for
from tvers.payments.service.opening import OpenedPayments, check_tenders, open_checkout_payments, open_payments
from tvers.payments.service.reading import (
    check_payment_ledgers,
    get_payment,
    payments_for_order,
    promised_for_order,
    uncaptured_for_order,
)
from tvers.payments.service.results import PaymentsOutcome, payments_outcome, record_checkout_authorizations, record_results
from tvers.payments.service.settlement import (
    capture_payment,
    captures_for,
    refund_payment,
    refund_payment_as,
    refund_payment_to_voucher,
    refunds_for,
    release_uncaptured,
)

__all__ = [
    "Applied",
    "AuthorizationRequest",
    "CaptureRequest",
    "OpenedPayments",
    "PaymentsOutcome",
    "ProviderRequest",
    "ProviderResult",
    "Providers",
    "RefundRequest",
    "ResultStatus",
    "VoidRequest",
    "attach_card_identity",
    "authorize",
    "build_providers",
    "call_provider",
    "capture",
    "capture_payment",
    "card_fingerprints",
    "captures_for",
    "check_payment_ledgers",
    "check_tenders",
    "external_authorizations",
    "get_payment",
    "open_checkout_payments",
    "open_payments",
    "payments_for_order",
    "payments_outcome",
    "promised_for_order",
    "pending_requests",
    "record_checkout_authorizations",
    "record_results",
    "refund",
    "refund_payment",
    "refund_payment_as",
    "refund_payment_to_voucher",
    "refunds_for",
    "release_uncaptured",
    "restore_local_tenders",
    "uncaptured_for_order",
    "void",
    "voids_for",
]
