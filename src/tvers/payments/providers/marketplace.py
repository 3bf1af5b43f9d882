"""Marketplace tender: the marketplace collected the money; Tvers records it as authorised and captured at once."""

from __future__ import annotations

from tvers.payments.providers.base import Prepared, ProviderRequest, ProviderResult, ResultStatus
from tvers.payments.schemas import MarketplaceTender, TenderCode, TenderIn

REFUND_NOTE = "refund via the marketplace"


class MarketplaceProvider:
    code = TenderCode.MARKETPLACE

    def prepare(self, tender: TenderIn) -> Prepared:
        assert isinstance(tender, MarketplaceTender)
        return Prepared(provider_reference=tender.marketplace_order_id)

    def authorize(self, request: ProviderRequest) -> ProviderResult:
        return ProviderResult(request, ResultStatus.SUCCEEDED, provider_reference=request.provider_reference, is_captured=True,
                              note="collected by the marketplace")

    def capture(self, request: ProviderRequest) -> ProviderResult:
        return ProviderResult(request, ResultStatus.SUCCEEDED, provider_reference=request.provider_reference)

    def void(self, request: ProviderRequest) -> ProviderResult:
        return ProviderResult(request, ResultStatus.FAILED, failure_code="collected_by_marketplace",
                              failure_message="the marketplace holds the money; refund it instead")

    def refund(self, request: ProviderRequest) -> ProviderResult:
        # The marketplace pays the buyer back from its own settlement; Tvers records that it was asked to.
        return ProviderResult(request, ResultStatus.SUCCEEDED, provider_reference=request.provider_reference, note=REFUND_NOTE)
