"""Step 2: provider calls, made with no transaction open. Pure request → result; the provider honours the key."""

from __future__ import annotations

from tvers.payments.providers import Providers
from tvers.payments.providers.base import ProviderRequest, ProviderResult
from tvers.payments.schemas import TransactionKind


def call_provider(request: ProviderRequest, *, providers: Providers) -> ProviderResult:
    """Send any decided request (authorize, capture, void, refund) to its tender's provider."""
    provider = providers.external(request.tender)
    operation = {TransactionKind.AUTHORIZE: provider.authorize, TransactionKind.CAPTURE: provider.capture,
                 TransactionKind.VOID: provider.void, TransactionKind.REFUND: provider.refund}[request.operation]
    return operation(request)


def authorize(request: ProviderRequest, *, providers: Providers) -> ProviderResult:
    """Authorise (or, re-sent with the same key, learn what became of the authorisation)."""
    return _checked(request, TransactionKind.AUTHORIZE, providers)


def capture(request: ProviderRequest, *, providers: Providers) -> ProviderResult:
    return _checked(request, TransactionKind.CAPTURE, providers)


def void(request: ProviderRequest, *, providers: Providers) -> ProviderResult:
    return _checked(request, TransactionKind.VOID, providers)


def refund(request: ProviderRequest, *, providers: Providers) -> ProviderResult:
    return _checked(request, TransactionKind.REFUND, providers)


def _checked(request: ProviderRequest, operation: TransactionKind, providers: Providers) -> ProviderResult:
    if request.operation is not operation:
        raise ValueError(f"a {request.operation.value} request sent as {operation.value}")
    return call_provider(request, providers=providers)
