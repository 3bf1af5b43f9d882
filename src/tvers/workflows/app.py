"""What a workflow needs of the running Tvers (bootstrap builds it; workflows sit below bootstrap, so they name a protocol)."""

from __future__ import annotations

from typing import Protocol

from tvers.db.uow import Uow
from tvers.kernel.clock import Clock
from tvers.payments.providers import Providers
from tvers.settings import Settings


class App(Protocol):
    settings: Settings
    clock: Clock
    payment_providers: Providers

    def uow(self, *, read_only: bool = False) -> Uow: ...
