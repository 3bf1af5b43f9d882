"""The words of each notification: small `string.Template`s filled from plain values (no I/O, no database).

English only for now; a message's text is rendered once, when it is written, and stored with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from string import Template

from tvers.integrations.notifications.schemas import Kind


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    body: str


_TEMPLATES: dict[Kind, tuple[Template, Template]] = {
    Kind.READY_FOR_PICKUP: (
        Template("Order $number is ready for pickup at $store"),
        Template("$greeting\n\nYour order $number is ready for pickup at $store, $address.\n\n$code_line\n$curbside_line\n\n"
                 "Thank you for your order.\n"),
    ),
    Kind.SHIPPED: (
        Template("Order $number is on its way"),
        Template("$greeting\n\nYour order $number has been shipped with $carrier.\n$tracking_line\n\nThank you for your order.\n"),
    ),
    Kind.DELAYED: (
        Template("Order $number is delayed"),
        Template("$greeting\n\nWe are sorry: your order $number will take longer than we promised.\n$ready_by_line\n\n"
                 "We will tell you as soon as it is on its way or ready for pickup.\n"),
    ),
    Kind.NEW_PICKUP_ORDER: (
        Template("New $method order $number: $units to prepare"),
        Template("A new $method order, $number, was sent to $store.\n\nTo pick and prepare: $units.\nCustomer: $customer.\n\n"
                 "Accept it in the store app's pickup queue.\n"),
    ),
    Kind.CUSTOMER_ARRIVED: (
        Template("Customer waiting outside for order $number"),
        Template("The customer for order $number has arrived at $store and is waiting: $spot.\n\nCustomer: $customer.\n\n"
                 "Bring the order out.\n"),
    ),
}


def render(kind: Kind, **values: str) -> Rendered:
    """Fill the kind's templates; a value left out is a bug (KeyError), and optional lines left empty disappear."""
    subject, body = _TEMPLATES[kind]
    # A subject is one line whatever the values hold (a header must not carry a line break).
    return Rendered(subject=" ".join(subject.substitute(values).split())[:200], body=_tidy(body.substitute(values)))


def greeting(name: str | None) -> str:
    return f"Hi {name}," if name else "Hi,"


def customer_name(name: str | None) -> str:
    return name or "no name given"


def units(count: int) -> str:
    return f"{count} unit" if count == 1 else f"{count} units"


def address(lines: Sequence[str], postal_code: str, city: str) -> str:
    place = " ".join(part for part in (postal_code, city) if part)
    return ", ".join([*lines, place]) if place else ", ".join(lines)


def pickup_code_line(code: str | None) -> str:
    if code:
        return f"Bring your pickup code: {code}."
    return "Bring your pickup code: it is shown in your order confirmation."


def curbside_line(curbside: bool) -> str:
    return "You chose curbside pickup: tell us when you have arrived, and we bring the order out to you." if curbside else ""


def tracking_line(*, tracking_url: str | None, tracking_number: str | None) -> str:
    if tracking_url:
        return f"Follow the parcel: {tracking_url}"
    if tracking_number:
        return f"Tracking number: {tracking_number}"
    return ""


def ready_by_line(ready_by: str | None) -> str:
    """`ready_by` is ISO 8601 (a date, or an instant shown in UTC); anything else is shown as given."""
    if not ready_by:
        return ""
    return f"We now expect it by {_when(ready_by)}."


def _when(value: str) -> str:
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) <= len("2026-11-05"):  # a date alone
        return instant.date().isoformat()
    if instant.tzinfo is None:
        return instant.strftime("%Y-%m-%d %H:%M")
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _tidy(text: str) -> str:
    """Optional lines that came out empty leave no gaps: at most one blank line in a row, none at the ends."""
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
