"""Turning a quote into what the order keeps: lines, totals, the pricing explanation and the shipping charge, as sold."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tvers.orders.schemas import NewOrderLine, OrderTotals
from tvers.pricing.cart_pricing import PriceBreakdown
from tvers.quoting.quote_schemas import Quote
from tvers.workflows.checkout_schemas import DeliveryIn


def new_order_lines(quote: Quote, locations: dict[str, str], *, methods: Mapping[str, str]) -> tuple[NewOrderLine, ...]:
    """One order line per quoted line, priced as the breakdown says, at its location (variant id → location id), delivered
    the way `methods` says (SKU → ship | pickup | curbside | carry_out)."""
    names = {outcome.promotion_id: outcome.name for outcome in quote.breakdown.promotions}
    priced = {line.line_id: line for line in quote.breakdown.lines}
    result = []
    for line in quote.lines:
        price = priced[line.line_id]
        result.append(NewOrderLine(
            variant_id=line.variant_id, product_id=line.product_id, sku=line.sku, title=line.title, category=line.category,
            tax_class=line.tax_class, quantity=price.quantity, unit_price_minor=price.unit_price.minor,
            amount_minor=price.amount.minor, discount_minor=price.discount_total.minor, net_minor=price.net.minor,
            vat_minor=price.vat.minor, vat_rate=str(price.vat_rate), total_minor=price.total.minor,
            discounts=[{"promotion_id": d.promotion_id, "name": names.get(d.promotion_id, d.promotion_id), "amount_minor": d.amount.minor}
                       for d in price.discounts],
            location_id=locations[line.variant_id], delivery_method=methods[line.sku],
        ))
    return tuple(result)


def order_totals(breakdown: PriceBreakdown) -> OrderTotals:
    return OrderTotals(subtotal_minor=breakdown.subtotal.minor, discount_minor=breakdown.discount_total.minor,
                       shipping_minor=breakdown.shipping.total.minor, net_minor=breakdown.net_total.minor,
                       vat_minor=breakdown.vat_total.minor, total_minor=breakdown.grand_total.minor)


def pricing_snapshot(breakdown: PriceBreakdown) -> dict[str, Any]:
    """What applied and what did not, and why; the VAT per rate. Kept as sold, so returns can explain refunds."""
    return {
        "promotions": [{"promotion_id": o.promotion_id, "name": o.name, "is_applied": o.is_applied, "reason": o.reason,
                        "message": o.message, "amount_minor": o.amount.minor, "shipping_discount_minor": o.shipping_discount.minor,
                        "line_ids": list(o.line_ids)} for o in breakdown.promotions],
        "vat_summary": [{"rate": str(row.rate), "net_minor": row.net.minor, "vat_minor": row.vat.minor, "gross_minor": row.gross.minor}
                        for row in breakdown.vat_summary],
    }


def shipping_snapshot(breakdown: PriceBreakdown, delivery: DeliveryIn) -> dict[str, Any]:
    shipping = breakdown.shipping
    return {
        "method": delivery.method.value,
        "address": delivery.address.model_dump() if delivery.address else None,
        "location": delivery.location,
        "price_minor": shipping.price.minor,
        "discount_minor": shipping.discount.amount.minor if shipping.discount else 0,
        "net_minor": shipping.net.minor,
        "vat_minor": shipping.vat.minor,
        "vat_rate": str(shipping.vat_rate),
        "total_minor": shipping.total.minor,
        "reason": shipping.reason,
    }
