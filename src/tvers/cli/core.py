"""Core commands: serve, worker, migrate, demo, API keys."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from tvers.bootstrap import Tvers, build
from tvers.channels import api_keys
from tvers.channels.access import Role
from tvers.channels.schemas import ApiKeyIn
from tvers.demo import DEFAULT_ORDERS
from tvers.kernel.errors import TversError
from tvers.settings import Settings

app = typer.Typer(
    help="Tvers: one unified commerce platform under every sales channel.", no_args_is_help=True, pretty_exceptions_enable=False
)
apikey_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
app.add_typer(apikey_app, name="apikey")


def say(message: str) -> None:
    typer.echo(message, err=True)


def open_tvers() -> Tvers:
    return build(Settings())


def _migrate(tvers: Tvers) -> None:
    from tvers.db.migrate import upgrade

    upgrade(tvers.db.engine)


@app.command()
def migrate() -> None:
    """Bring the database schema up to date (the only way the schema is made)."""
    tvers = open_tvers()
    _migrate(tvers)
    say(f"migrated {tvers.db.engine.url.render_as_string(hide_password=True)}")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: Annotated[int, typer.Option(min=1)] = 1) -> None:
    """Migrate, then serve the API (and, for the embedded SQLite setup, the event relay)."""
    import uvicorn

    _migrate(open_tvers())
    say(f"Tvers on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    uvicorn.run("tvers.web.asgi:app", host=host, port=port, workers=workers, log_level="warning", factory=False)


@app.command()
def worker(once: Annotated[bool, typer.Option(help="Run one pass and exit.")] = False) -> None:
    """Run background work: the outbox relay (and, later, sweeps and schedules)."""
    import threading

    from tvers.jobs import run_due_jobs

    tvers = open_tvers()
    if once:
        result = tvers.relay.run_once()
        done = run_due_jobs(tvers, last_runs={})
        typer.echo(json.dumps({"sequenced": result.sequenced, "delivered": result.delivered, "failed": result.failed, "jobs": done}))
        return
    say("worker running: event relay and scheduled jobs; Ctrl-C to stop")
    stop = threading.Event()
    relay = threading.Thread(
        target=tvers.relay.run_forever, args=(stop,), kwargs={"poll_seconds": tvers.settings.relay_poll_seconds}, daemon=True
    )
    relay.start()
    last_runs: dict[str, float] = {}
    try:
        while not stop.wait(1.0):
            run_due_jobs(tvers, last_runs=last_runs)
    except KeyboardInterrupt:
        stop.set()


@app.command()
def demo(
    db: Annotated[Path | None, typer.Option(help="SQLite file for the demo (default: tvers-demo.db).")] = None,
    port: int = 8000,
    host: str = "127.0.0.1",
    seed: int = 42,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the demo after building it.")] = True,
    fresh: Annotated[bool, typer.Option(help="Delete an existing demo file first.")] = True,
    orders: Annotated[int, typer.Option(min=0, envvar="TVERS_DEMO_ORDERS",
                                        help="Orders in the 90-day history, placed through checkout (0: none).")] = DEFAULT_ORDERS,
    simulate: Annotated[bool, typer.Option("--simulate/--no-simulate",
                                           help="While serving, keep placing orders and working the stores' tasks.")] = True,
    simulate_every: Annotated[float, typer.Option(min=0.5, help="Seconds between the simulator's ticks.")] = 5.0,
) -> None:
    """Build the demo retailer in a fresh SQLite file, print an admin key and the URLs, then serve it (with live traffic)."""
    from tvers.demo.build import build_demo

    path = db or Path("tvers-demo.db")
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["TVERS_DATABASE_URL"] = f"sqlite:///{path}"
    tvers = open_tvers()
    _migrate(tvers)
    summary = build_demo(tvers, seed=seed, log=say, orders=orders)
    typer.echo(summary.admin_key)
    base = f"http://{host}:{port}"
    say(f"\nDemo retailer ready in {path}: {summary.describe()}")
    say(f"  Fulfilment:    {summary.fulfilment.describe()}")
    say(f"  Returns:       {summary.returns.describe()}")
    say(f"  API docs:      {base}/docs")
    say(f"  Web shop (NO): {base}/api/v1/channels/web-no/products?limit=5")
    say(f"  Admin API key: {summary.admin_key}")
    say(f"  Try: curl -H 'Authorization: Bearer {summary.admin_key}' '{base}/api/v1/channels/web-no/products?limit=5&locale=nb'")
    say(f"  Store queue:   {base}/api/v1/stores/oslo-sentrum/tasks  (live: .../tasks/stream)")
    tvers.close()
    if serve_after:
        _serve_demo(host=host, port=port, seed=seed, simulate_every=simulate_every if simulate else None)


def _serve_demo(*, host: str, port: int, seed: int, simulate_every: float | None) -> None:
    """Serve; with `simulate_every`, the traffic simulator runs beside the server until it stops."""
    if simulate_every is None:
        serve(host=host, port=port, workers=1)
        return
    from tvers.demo.simulator import Simulator

    tvers = open_tvers()
    simulator = Simulator(tvers, seed=seed, every_seconds=simulate_every)
    simulator.start()
    say(f"  Simulating shop traffic every {simulate_every:g} s: orders, store work, deliveries (--no-simulate to turn off)")
    try:
        serve(host=host, port=port, workers=1)
    finally:
        simulator.stop()
        tvers.close()


@apikey_app.command("create")
def apikey_create(
    role: Annotated[Role, typer.Option(help="admin, integration, store_staff or analyst")],
    name: Annotated[str, typer.Option(help="Who or what uses the key.")] = "cli",
    channel: Annotated[str | None, typer.Option(help="Channel code (integration keys).")] = None,
    locations: Annotated[str | None, typer.Option(help="Comma-separated location codes (store staff keys).")] = None,
) -> None:
    """Create a key; the key alone goes to stdout (shown once)."""
    tvers = open_tvers()
    codes = [c.strip() for c in (locations or "").split(",") if c.strip()]
    with tvers.uow() as uow:
        created = api_keys.create_api_key(uow, ApiKeyIn(name=name, role=role, channel=channel, locations=codes))
        uow.commit()
    typer.echo(created.key)
    say(f"created {created.role} key {created.prefix} ({created.id}); store it now, it is not shown again")


@apikey_app.command("list")
def apikey_list() -> None:
    """List keys (never their secrets) as JSON lines."""
    tvers = open_tvers()
    with tvers.uow(read_only=True) as uow:
        for key in api_keys.list_api_keys(uow):
            typer.echo(key.model_dump_json())


@apikey_app.command("revoke")
def apikey_revoke(key: Annotated[str, typer.Argument(help="The key's id or prefix.")]) -> None:
    """Revoke a key at once."""
    tvers = open_tvers()
    with tvers.uow() as uow:
        revoked = api_keys.revoke_api_key(uow, key)
        uow.commit()
    typer.echo(revoked.model_dump_json())


def main() -> None:
    try:
        app()
    except TversError as error:
        say(f"error: {error.code}: {error.message}")
        for field in error.fields:
            say(f"  {field.field}: {field.message}")
        sys.exit(2)
