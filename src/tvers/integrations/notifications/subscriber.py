"""The relay subscriber `integrations.notifications`: fulfilment events become notification rows, in the relay's transaction.

Nothing is sent here (the sender job does that with no transaction open); this only decides who is told what.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table

from tvers.customers import service as customers
from tvers.customers.errors import CustomerErased, CustomerNotFound
from tvers.customers.schemas import Purpose
from tvers.db.uow import Uow
from tvers.db.upsert import insert_if_absent
from tvers.integrations.notifications import messages
from tvers.integrations.notifications.messages import Rendered
from tvers.integrations.notifications.models import Notification
from tvers.integrations.notifications.schemas import Audience, Kind, Medium, Status
from tvers.inventory import service as inventory
from tvers.inventory.errors import LocationNotFound
from tvers.inventory.schemas import LocationOut
from tvers.kernel.events import PublishedEvent, Subscriber, SubscriberContext
from tvers.kernel.ids import new_id
from tvers.orders import service as orders
from tvers.orders.errors import OrderNotFound
from tvers.orders.schemas import OrderOut
from tvers.settings import Settings

log = logging.getLogger(__name__)

SUBSCRIBER = "integrations.notifications"
READY_FOR_PICKUP, SHIPPED, DELAYED = "order.ready_for_pickup", "order.shipped", "order.delayed"
TASK_CREATED, CUSTOMER_ARRIVED = "fulfillment.task_created", "fulfillment.customer_arrived"
EVENT_TYPES = frozenset({READY_FOR_PICKUP, SHIPPED, DELAYED, TASK_CREATED, CUSTOMER_ARRIVED})
PICKUP_TASK_KINDS = frozenset({"pickup", "curbside"})  # a task of these kinds is a new pickup order for the store

NOTIFICATIONS = cast(Table, Notification.__table__)
WITHDRAWN = "customer withdrew order_updates consent"

# (unit of work, fulfilment task id) → the code the customer shows at the pickup desk, or None if there is none.
PickupCodeLookup = Callable[[Uow, str], str | None]


@dataclass(frozen=True, slots=True)
class Draft:
    """A notification decided on, before it is written."""

    kind: Kind
    audience: Audience
    recipient: str
    medium: Medium
    rendered: Rendered
    location_id: str | None
    skipped_because: str | None = None


def subscribers(settings: Settings, *, pickup_code_lookup: PickupCodeLookup | None = None) -> list[Subscriber]:
    """The notifications subscriber; `pickup_code_lookup` puts the pickup code in "ready for pickup" (the fulfilment module has it)."""
    writer = NotificationWriter(store_address_template=settings.notifications_store_address_template,
                                pickup_code_lookup=pickup_code_lookup)
    return [Subscriber(name=SUBSCRIBER, event_types=EVENT_TYPES, handle=writer.handle)]


class NotificationWriter:
    def __init__(self, *, store_address_template: str, pickup_code_lookup: PickupCodeLookup | None) -> None:
        self._store_address_template = store_address_template
        self._pickup_code_lookup = pickup_code_lookup

    def handle(self, context: SubscriberContext, event: PublishedEvent) -> None:
        assert isinstance(context, Uow)  # the relay hands its unit of work
        payload = event.payload
        try:
            order = orders.get_order(context, str(payload["order_id"]))
        except OrderNotFound:  # nothing to tell anyone about; holding the relay back would not make the order appear
            log.warning("notifications: %s %s names unknown order %s", event.type, event.event_id, payload["order_id"])
            return
        draft = self._draft(context, event.type, payload, order)
        if draft is not None:
            _write(context, event, order, draft)

    def _draft(self, uow: Uow, event_type: str, payload: dict[str, Any], order: OrderOut) -> Draft | None:
        if event_type == READY_FOR_PICKUP:
            return self._ready_for_pickup(uow, payload, order)
        if event_type == SHIPPED:
            return _shipped(uow, payload, order)
        if event_type == DELAYED:
            return _delayed(uow, payload, order)
        if event_type == TASK_CREATED:
            return self._new_pickup_order(uow, payload, order) if payload["kind"] in PICKUP_TASK_KINDS else None
        if event_type == CUSTOMER_ARRIVED:
            return self._customer_arrived(uow, payload, order)
        return None

    def _ready_for_pickup(self, uow: Uow, payload: dict[str, Any], order: OrderOut) -> Draft:
        store = _location(uow, str(payload["location_code"]))
        code = self._pickup_code_lookup(uow, str(payload["task_id"])) if self._pickup_code_lookup is not None else None
        rendered = messages.render(
            Kind.READY_FOR_PICKUP, number=order.number, greeting=_greeting(order), store=_store_name(store, payload),
            address=_store_address(store), code_line=messages.pickup_code_line(code),
            curbside_line=messages.curbside_line(bool(payload.get("curbside"))),
        )
        return _to_customer(uow, order, Kind.READY_FOR_PICKUP, rendered, location_id=store.id if store else None)

    def _new_pickup_order(self, uow: Uow, payload: dict[str, Any], order: OrderOut) -> Draft:
        store = _location(uow, str(payload["location_code"]))
        rendered = messages.render(
            Kind.NEW_PICKUP_ORDER, number=order.number, method=str(payload["kind"]), store=_store_name(store, payload),
            units=messages.units(int(payload["units"])), customer=messages.customer_name(order.contact.get("name")),
        )
        return self._to_store(Kind.NEW_PICKUP_ORDER, rendered, payload, store)

    def _customer_arrived(self, uow: Uow, payload: dict[str, Any], order: OrderOut) -> Draft:
        store = _location(uow, str(payload["location_code"]))
        rendered = messages.render(
            Kind.CUSTOMER_ARRIVED, number=order.number, store=_store_name(store, payload), spot=str(payload.get("spot") or "no spot given"),
            customer=messages.customer_name(order.contact.get("name")),
        )
        return self._to_store(Kind.CUSTOMER_ARRIVED, rendered, payload, store)

    def _to_store(self, kind: Kind, rendered: Rendered, payload: dict[str, Any], store: LocationOut | None) -> Draft:
        """Stores have no address of their own in Tvers yet: the setting makes one from the location code."""
        recipient = self._store_address_template.replace("{code}", str(payload["location_code"]))
        skipped = None if recipient else "no store address: notifications_store_address_template is empty"
        return Draft(kind=kind, audience=Audience.STORE, recipient=recipient, medium=Medium.EMAIL, rendered=rendered,
                     location_id=store.id if store else None, skipped_because=skipped)


def _shipped(uow: Uow, payload: dict[str, Any], order: OrderOut) -> Draft:
    origin = _location(uow, str(payload["location_code"]))
    rendered = messages.render(
        Kind.SHIPPED, number=order.number, greeting=_greeting(order), carrier=str(payload.get("carrier") or "our carrier"),
        tracking_line=messages.tracking_line(tracking_url=payload.get("tracking_url"), tracking_number=payload.get("tracking_number")),
    )
    return _to_customer(uow, order, Kind.SHIPPED, rendered, location_id=origin.id if origin else None)


def _delayed(uow: Uow, payload: dict[str, Any], order: OrderOut) -> Draft:
    rendered = messages.render(Kind.DELAYED, number=order.number, greeting=_greeting(order),
                               ready_by_line=messages.ready_by_line(payload.get("ready_by")))
    return _to_customer(uow, order, Kind.DELAYED, rendered, location_id=order.pickup_location_id)


def _to_customer(uow: Uow, order: OrderOut, kind: Kind, rendered: Rendered, *, location_id: str | None) -> Draft:
    """To the order's contact email, else its phone by SMS; written as skipped if there is neither or consent was withdrawn."""
    recipient, medium = _customer_address(order.contact)
    skipped = "the order has no contact email or phone" if not recipient else _refusal(uow, order.customer_id)
    return Draft(kind=kind, audience=Audience.CUSTOMER, recipient=recipient, medium=medium, rendered=rendered,
                 location_id=location_id, skipped_because=skipped)


def _customer_address(contact: dict[str, Any]) -> tuple[str, Medium]:
    if contact.get("email"):
        return str(contact["email"]), Medium.EMAIL
    if contact.get("phone"):
        return str(contact["phone"]), Medium.SMS
    return "", Medium.EMAIL


def _refusal(uow: Uow, customer_id: str | None) -> str | None:
    """Why the customer must not get order updates, or None: no profile, or no withdrawal on record, means send."""
    if customer_id is None:
        return None
    try:
        current = customers.active_customer_id(uow, customer_id)
        consents = customers.current_consents(uow, current)
    except CustomerErased:
        return "customer was erased"
    except CustomerNotFound:
        return None
    order_updates = next(c for c in consents if c.purpose is Purpose.ORDER_UPDATES)
    return None if order_updates.is_granted else WITHDRAWN


def _write(uow: Uow, event: PublishedEvent, order: OrderOut, draft: Draft) -> None:
    now = uow.clock.now()
    status = Status.SKIPPED if draft.skipped_because else Status.QUEUED
    row = {
        "id": new_id("ntf"), "event_id": event.event_id, "kind": draft.kind.value, "audience": draft.audience.value,
        "order_id": order.id, "customer_id": order.customer_id, "location_id": draft.location_id, "recipient": draft.recipient,
        "medium": draft.medium.value, "subject": draft.rendered.subject, "body": draft.rendered.body, "status": status.value,
        "reason": draft.skipped_because, "attempts": 0, "next_attempt_at": now if status is Status.QUEUED else None,
        "created_at": now, "sent_at": None,
    }
    # A replay of an event already turned into this message (its handled mark lost) writes nothing a second time.
    insert_if_absent(uow.session, NOTIFICATIONS, row, keys=["event_id", "kind", "recipient"])


def _location(uow: Uow, code: str) -> LocationOut | None:
    try:
        return inventory.get_location(uow, code)
    except LocationNotFound:
        return None


def _store_name(store: LocationOut | None, payload: dict[str, Any]) -> str:
    return store.name if store else str(payload["location_code"])


def _store_address(store: LocationOut | None) -> str:
    if store is None:
        return "the store"
    return messages.address(store.address.lines, store.address.postal_code, store.address.city)


def _greeting(order: OrderOut) -> str:
    return messages.greeting(order.contact.get("name"))
