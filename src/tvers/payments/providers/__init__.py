"""Payment providers behind one interface: local tenders move money in our database, external ones over the network.

`build_providers(settings)` makes the registry a checkout looks tenders up in by code.
"""

from __future__ import annotations

from collections.abc import Mapping

from tvers.kernel.errors import FieldError
from tvers.payments.errors import UnknownTender
from tvers.payments.providers.base import ExternalTender, LocalTender
from tvers.payments.providers.cash import CashProvider
from tvers.payments.providers.gift_card import GiftCardProvider
from tvers.payments.providers.loyalty_points import LoyaltyPointsProvider
from tvers.payments.providers.marketplace import MarketplaceProvider
from tvers.payments.providers.store_credit import StoreCreditProvider
from tvers.payments.providers.stripe import StripeProvider
from tvers.payments.providers.test_card import TestCardProvider
from tvers.settings import Settings

__all__ = ["LOCAL_PROVIDERS", "Providers", "build_providers", "local_provider"]

# Local tenders need no configuration: every installation takes them.
LOCAL_PROVIDERS: Mapping[str, LocalTender] = {
    p.code.value: p for p in (GiftCardProvider(), StoreCreditProvider(), LoyaltyPointsProvider(), CashProvider())}


def local_provider(code: str) -> LocalTender:
    found = LOCAL_PROVIDERS.get(code)
    if found is None:
        raise _unknown(code)
    return found


class Providers:
    """The tenders this installation accepts, by code."""

    def __init__(self, *, local: Mapping[str, LocalTender], external: Mapping[str, ExternalTender]) -> None:
        self._local, self._external = dict(local), dict(external)

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(self._local) | frozenset(self._external)

    def is_local(self, code: str) -> bool:
        return code in self._local

    def local(self, code: str) -> LocalTender:
        found = self._local.get(code)
        if found is None:
            raise _unknown(code)
        return found

    def external(self, code: str) -> ExternalTender:
        found = self._external.get(code)
        if found is None:
            raise _unknown(code)
        return found


def build_providers(settings: Settings) -> Providers:
    external: list[ExternalTender] = [MarketplaceProvider()]
    if settings.payments_test_card:
        external.append(TestCardProvider(fingerprint_key=settings.payments_fingerprint_key))
    if settings.stripe_secret_key:
        external.append(StripeProvider(secret_key=settings.stripe_secret_key, api_base=settings.stripe_api_base,
                                       return_url=settings.stripe_return_url, timeout_seconds=settings.stripe_timeout_seconds))
    return Providers(local=LOCAL_PROVIDERS, external={p.code.value: p for p in external})


def _unknown(code: str) -> UnknownTender:
    message = f"tender {code} is not available here"
    return UnknownTender(message, fields=[FieldError("tender", message, UnknownTender.code)])
