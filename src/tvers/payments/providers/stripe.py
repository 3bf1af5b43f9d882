"""Stripe tender: PaymentIntents with manual capture over Stripe's HTTP API (form-encoded, Bearer secret key).

Every call carries our idempotency key as `Idempotency-Key`, so re-sending after a timeout or crash gets
Stripe's first answer again. No answer (network error, 409 conflict, 429, 5xx) is `unknown`: the sweep
re-sends with the same key. An authorisation Stripe already knows (after 3-D Secure) is queried by its id.
"""

from __future__ import annotations

from typing import Any

import httpx

from tvers.payments.providers.base import CardDetails, Prepared, ProviderRequest, ProviderResult, ResultStatus
from tvers.payments.schemas import StripeTender, TenderCode, TenderIn, TransactionKind

_NO_ANSWER = {409, 429}  # a concurrent request with the same key, or rate limited: ask again later


class StripeProvider:
    code = TenderCode.STRIPE

    def __init__(self, *, secret_key: str, api_base: str, return_url: str | None = None, timeout_seconds: float = 20.0) -> None:
        self._client = httpx.Client(base_url=api_base, timeout=timeout_seconds,
                                    headers={"Authorization": f"Bearer {secret_key}"})
        self._return_url = return_url

    def prepare(self, tender: TenderIn) -> Prepared:
        assert isinstance(tender, StripeTender)
        return Prepared(card=CardDetails(token=tender.payment_method))

    def authorize(self, request: ProviderRequest) -> ProviderResult:
        if request.provider_reference:  # Stripe has it (it wanted 3-D Secure): ask what became of it
            return self._send(request, "GET", f"/v1/payment_intents/{request.provider_reference}",
                              {"expand[]": ["payment_method"]})
        return self._send(request, "POST", "/v1/payment_intents", authorize_form(request, return_url=self._return_url))

    def capture(self, request: ProviderRequest) -> ProviderResult:
        return self._send(request, "POST", f"/v1/payment_intents/{request.provider_reference}/capture",
                          {"amount_to_capture": str(request.amount.minor)})

    def void(self, request: ProviderRequest) -> ProviderResult:
        return self._send(request, "POST", f"/v1/payment_intents/{request.provider_reference}/cancel", {})

    def refund(self, request: ProviderRequest) -> ProviderResult:
        return self._send(request, "POST", "/v1/refunds", {
            "payment_intent": request.provider_reference or "", "amount": str(request.amount.minor),
            "metadata[payment_id]": request.payment_id})

    def _send(self, request: ProviderRequest, method: str, path: str, form: dict[str, Any]) -> ProviderResult:
        try:
            if method == "GET":
                response = self._client.get(path, params=form)
            else:
                response = self._client.post(path, data=form, headers={"Idempotency-Key": request.idempotency_key})
        except httpx.TransportError as error:
            return ProviderResult(request, ResultStatus.UNKNOWN, failure_code="network_error", failure_message=type(error).__name__)
        return parse_response(request, response.status_code, _json(response))

    def close(self) -> None:
        self._client.close()


def authorize_form(request: ProviderRequest, *, return_url: str | None) -> dict[str, Any]:
    form: dict[str, Any] = {
        "amount": str(request.amount.minor), "currency": request.amount.currency.lower(),
        "payment_method": request.card_token or "", "payment_method_types[]": ["card"],
        "capture_method": "manual", "confirm": "true", "expand[]": ["payment_method"],
        "metadata[order_id]": request.order_id, "metadata[payment_id]": request.payment_id,
    }
    if return_url:
        form["return_url"] = return_url
    return form


def parse_response(request: ProviderRequest, status_code: int, body: dict[str, Any]) -> ProviderResult:
    """Stripe's answer as a result: an object on 2xx, its documented error object otherwise."""
    if 200 <= status_code < 300:
        if body.get("object") == "refund":
            return _from_refund(request, body)
        return from_intent(request, body)
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    assert isinstance(error, dict)
    code = error.get("decline_code") or error.get("code") or error.get("type") or f"http_{status_code}"
    message = str(error.get("message") or "")[:300] or None
    if status_code in _NO_ANSWER or status_code >= 500:
        return ProviderResult(request, ResultStatus.UNKNOWN, failure_code=str(code), failure_message=message)
    intent = error.get("payment_intent") if isinstance(error.get("payment_intent"), dict) else {}
    reference = intent.get("id") if isinstance(intent, dict) else None
    declined = error.get("type") == "card_error" and error.get("code") != "processing_error"
    return ProviderResult(request, ResultStatus.DECLINED if declined else ResultStatus.FAILED, provider_reference=reference,
                          failure_code=str(code), failure_message=message)


def from_intent(request: ProviderRequest, intent: dict[str, Any]) -> ProviderResult:
    status, reference, card = intent.get("status"), intent.get("id"), card_of(intent.get("payment_method"))
    operation = request.operation
    if status == "requires_capture":
        return ProviderResult(request, ResultStatus.SUCCEEDED, provider_reference=reference, card=card)
    if status == "succeeded":
        return ProviderResult(request, ResultStatus.SUCCEEDED, provider_reference=reference, card=card,
                              is_captured=operation is TransactionKind.AUTHORIZE, releases_rest=operation is TransactionKind.CAPTURE)
    if status == "requires_action":
        return ProviderResult(request, ResultStatus.REQUIRES_ACTION, provider_reference=reference, card=card,
                              action_url=_redirect_url(intent))
    if status == "canceled":
        succeeded = operation is TransactionKind.VOID
        return ProviderResult(request, ResultStatus.SUCCEEDED if succeeded else ResultStatus.FAILED, provider_reference=reference,
                              failure_code=None if succeeded else "canceled", failure_message=intent.get("cancellation_reason"))
    if status == "requires_payment_method":  # the attempt failed (declined, or 3-D Secure not passed)
        error = intent.get("last_payment_error") or {}
        code = error.get("decline_code") or error.get("code") or "card_declined"
        return ProviderResult(request, ResultStatus.DECLINED, provider_reference=reference, card=card, failure_code=str(code),
                              failure_message=error.get("message"))
    return ProviderResult(request, ResultStatus.UNKNOWN, provider_reference=reference, failure_code=str(status))


def card_of(payment_method: object) -> CardDetails | None:
    """Brand, last four and fingerprint from an expanded PaymentMethod; its id is the token."""
    if isinstance(payment_method, str):
        return CardDetails(token=payment_method)
    if not isinstance(payment_method, dict):
        return None
    card = payment_method.get("card") or {}
    return CardDetails(token=payment_method.get("id"), brand=card.get("brand"), last4=card.get("last4"),
                       fingerprint=card.get("fingerprint"))


def _from_refund(request: ProviderRequest, refund: dict[str, Any]) -> ProviderResult:
    status = refund.get("status")
    if status in ("succeeded", "pending"):  # pending: Stripe has taken it on and pays it out
        return ProviderResult(request, ResultStatus.SUCCEEDED, provider_reference=refund.get("id"),
                              note="refund pending at Stripe" if status == "pending" else None)
    if status == "requires_action":
        return ProviderResult(request, ResultStatus.UNKNOWN, provider_reference=refund.get("id"), failure_code="requires_action")
    return ProviderResult(request, ResultStatus.FAILED, provider_reference=refund.get("id"),
                          failure_code=str(refund.get("failure_reason") or status), failure_message=None)


def _redirect_url(intent: dict[str, Any]) -> str | None:
    action = intent.get("next_action") or {}
    redirect = action.get("redirect_to_url") or {}
    url = redirect.get("url")
    return str(url) if url else None


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
