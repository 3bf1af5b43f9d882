"""The FastAPI application: routers, error mapping, and the embedded relay."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from tvers import __version__
from tvers.bootstrap import Tvers
from tvers.jobs import run_due_jobs
from tvers.web import problems
from tvers.web.api import (
    api_keys,
    carts,
    channels,
    checkout,
    customers,
    fulfilment,
    gift_cards,
    locations,
    loyalty,
    notifications,
    orders,
    payments,
    price_books,
    products,
    promotions,
    quotes,
    returns,
    shipping_rates,
    stock,
    store_queue,
    transfers,
)

DESCRIPTION = """One API under every sales channel: web, app, POS, marketplace, social, call centre, kiosk.

Authenticate with `Authorization: Bearer <API key>`. Errors are RFC 9457 `application/problem+json`
with a stable `code`. POSTs that create things accept an `Idempotency-Key`.
"""


def _run_jobs(tvers: Tvers, stop: threading.Event) -> None:
    last_runs: dict[str, float] = {}
    while not stop.wait(1.0):
        run_due_jobs(tvers, last_runs=last_runs)


def create_app(tvers: Tvers, *, run_relay: bool | None = None) -> FastAPI:
    relay_here = tvers.settings.runs_relay_in_server if run_relay is None else run_relay

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        threads = []
        if relay_here:  # the embedded setup: no separate worker process
            threads = [
                threading.Thread(
                    target=tvers.relay.run_forever,
                    args=(stop,),
                    kwargs={"poll_seconds": tvers.settings.relay_poll_seconds},
                    daemon=True,
                    name="relay",
                ),
                threading.Thread(target=_run_jobs, args=(tvers, stop), daemon=True, name="jobs"),
            ]
            for thread in threads:
                thread.start()
        yield
        stop.set()
        tvers.relay.wake()
        for thread in threads:
            thread.join(timeout=5)

    app = FastAPI(title="Tvers", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.tvers = tvers
    problems.install(app)
    for module in (products, price_books, channels, api_keys, locations, stock, transfers, customers, loyalty, gift_cards, carts,
                   checkout, orders, promotions, shipping_rates, quotes, payments, fulfilment, store_queue, notifications,
                   returns):
        app.include_router(module.router)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/docs")

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
