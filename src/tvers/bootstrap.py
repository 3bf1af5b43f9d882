"""The one place that wires settings, database, clock, relay, subscribers and payment providers together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tvers.db.session import Database, connect
from tvers.db.uow import Uow
from tvers.integrations.notifications import subscriber as notifications
from tvers.integrations.notifications.senders import Sender, build_sender
from tvers.integrations.relay import Relay
from tvers.kernel.clock import Clock, SystemClock
from tvers.kernel.events import Subscriber
from tvers.payments.providers import Providers, build_providers
from tvers.settings import Settings


def module_subscribers(settings: Settings | None = None) -> list[Subscriber]:
    """Subscribers each domain module and workflow registers; modules add theirs here as they arrive."""
    from tvers.customers import subscribers as customers
    from tvers.inventory import subscribers as inventory
    from tvers.orders import subscribers as orders
    from tvers.workflows import fulfilment

    return [*customers.subscribers(), *inventory.subscribers(), *orders.subscribers(), *fulfilment.subscribers(settings or Settings())]


def integration_subscribers(settings: Settings) -> list[Subscriber]:
    """Subscribers that carry events out of Tvers and need configuration: notifications to customers and stores.

    The ready-for-pickup message carries the task's pickup code, which events never do: notifications read it here.
    """
    from tvers.fulfillment.service import pickup_code

    return notifications.subscribers(settings, pickup_code_lookup=pickup_code)


@dataclass
class Tvers:
    """A running Tvers: open a unit of work per command with `uow()`."""

    settings: Settings
    db: Database
    clock: Clock
    subscribers: Sequence[Subscriber] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        self.relay = Relay(self.db, self.clock, self.subscribers)
        # The tenders this installation accepts (Stripe only with a secret key); workflows get them from here.
        self.payment_providers: Providers = build_providers(self.settings)
        # Where notifications go (`notifications_sender`): a file, SMTP, or nowhere (None); the worker's job uses it.
        self.notification_sender: Sender | None = build_sender(self.settings)

    def uow(self, *, read_only: bool = False) -> Uow:
        return Uow(self.db, self.clock, read_only=read_only, after_commit=self.relay.wake)

    def close(self) -> None:
        self.db.dispose()


def build(settings: Settings | None = None, *, clock: Clock | None = None, subscribers: Sequence[Subscriber] | None = None) -> Tvers:
    settings = settings or Settings()
    return Tvers(
        settings=settings,
        db=connect(settings),
        clock=clock or SystemClock(),
        subscribers=tuple([*module_subscribers(settings), *integration_subscribers(settings)] if subscribers is None else subscribers),
    )
