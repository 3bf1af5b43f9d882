"""`tvers doctor`: every cached balance (stock, points, gift cards, store credit, payment totals) checked against its ledger,
and no stock held for an order that no longer needs it."""

from __future__ import annotations

import json

import typer

from tvers.cli.core import open_tvers, say
from tvers.customers import service as customers
from tvers.inventory import service as inventory
from tvers.payments import service as payments
from tvers.workflows import consistency


def doctor() -> None:
    """Check stock levels, loyalty points, gift cards, store credit and payments against their ledgers; exit 1 on any difference."""
    with open_tvers().uow(read_only=True) as uow:
        stock = inventory.check_stock(uow)
        ledgers = {"loyalty_points": customers.check_points_ledgers(uow), "gift_cards": customers.check_gift_card_ledgers(uow),
                   "store_credit": customers.check_store_credit_ledgers(uow), "payments": payments.check_payment_ledgers(uow),
                   "order_reservations": consistency.dangling_order_reservations(uow),
                   "fulfilment_tasks": consistency.tasks_without_stock(uow)}
    healthy = stock.healthy and not any(ledgers.values())
    typer.echo(json.dumps({"healthy": healthy, "stock": stock.model_dump(), "ledgers": ledgers}))
    say(f"stock: {stock.checked} levels checked, {len(stock.findings)} disagree with the ledger; "
        + ", ".join(f"{name}: {len(bad)} accounts disagree" for name, bad in ledgers.items()))
    if not healthy:
        raise typer.Exit(1)
