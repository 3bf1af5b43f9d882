"""`tvers customers …` and `tvers giftcard …`: find, export and erase customers; issue gift cards."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated

import typer

from tvers.cli.core import open_tvers
from tvers.customers import service as customers
from tvers.customers.money_schemas import GiftCardIssueIn
from tvers.customers.schemas import CustomerSearch

customers_app = typer.Typer(help="Find, export and erase customers.", no_args_is_help=True)
giftcard_app = typer.Typer(help="Issue gift cards.", no_args_is_help=True)
CLI_ACTOR = "cli"


@customers_app.command("find")
def find(q: Annotated[str | None, typer.Option(help="Name (given or family) prefix.")] = None,
         email: str | None = None, phone: str | None = None, loyalty_card: str | None = None,
         region: Annotated[str | None, typer.Option(help="Region for a phone without +countrycode, e.g. NO.")] = None,
         limit: int = 20) -> None:
    """Matching customers as JSON lines."""
    with open_tvers().uow(read_only=True) as uow:
        found = customers.search_customers(uow, CustomerSearch(q=q, email=email, phone=phone, loyalty_card=loyalty_card,
                                                               region=region), limit=limit)
    for customer in found:
        typer.echo(customer.model_dump_json())


@customers_app.command("export")
def export(customer_id: str) -> None:
    """Everything held about one customer, as one JSON document on stdout."""
    with open_tvers().uow(read_only=True) as uow:
        document = customers.export_customer(uow, customer_id)
    typer.echo(json.dumps(document, indent=2, ensure_ascii=False))


@customers_app.command("erase")
def erase(customer_id: str, yes: Annotated[bool, typer.Option("--yes", help="Confirm: erasure cannot be undone.")] = False) -> None:
    """Erase a customer's personal data for good (ledgers stay under the pseudonymous id)."""
    if not yes:
        typer.echo("refusing without --yes: erasure cannot be undone", err=True)
        raise typer.Exit(2)
    with open_tvers().uow() as uow:
        customers.erase_customer(uow, customer_id, actor=CLI_ACTOR)
        uow.commit()
    typer.echo(json.dumps({"erased": customer_id}))


@giftcard_app.command("issue")
def issue(amount: Annotated[str, typer.Argument(help="Major units, e.g. 500.00")],
          currency: Annotated[str, typer.Option(help="ISO 4217, e.g. NOK")] = "NOK",
          expires_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
          owner: Annotated[str | None, typer.Option(help="Customer id of the owner.")] = None) -> None:
    """Issue a card; the code alone goes to stdout (shown once)."""
    data = GiftCardIssueIn.model_validate({"amount": Decimal(amount), "currency": currency, "expires_on": expires_on, "owner_id": owner})
    with open_tvers().uow() as uow:
        card = customers.issue_gift_card(uow, data)
        uow.commit()
    typer.echo(card.code)
    typer.echo(f"issued gift card {card.id} (…{card.last4}) for {card.balance.amount} {card.currency}", err=True)
