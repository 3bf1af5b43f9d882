"""The real `tvers` CLI in a subprocess: results on stdout, messages on stderr, non-zero exit on failure (SQLite only)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from support.api import bearer, make_key, ok, problem
from support.demo_orders import check_believable_quarter, placed_orders
from tvers.bootstrap import Tvers, build
from tvers.channels import api_keys
from tvers.channels.access import Role
from tvers.channels.api_keys import authenticate
from tvers.channels.errors import InvalidApiKey
from tvers.channels.service import list_channels
from tvers.db.migrate import upgrade
from tvers.demo.catalog_data import build_catalog
from tvers.settings import Settings
from tvers.web.app import create_app

# Each CLI run pays about a second of imports, so set-up and checks that are not about the CLI run in-process.


def start(*args: str, url: str, cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TVERS_")}
    env["TVERS_DATABASE_URL"] = url
    return subprocess.Popen([sys.executable, "-m", "tvers", *args], env=env, cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(process: subprocess.Popen[str], *, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()  # never leave a CLI process behind
        process.communicate()
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def run(*args: str, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return finish(start(*args, url=url, cwd=cwd))


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def tvers(db_url: str) -> Iterator[Tvers]:
    """Overrides the backend-parametrised `tvers`: the CLI tests use their own SQLite file."""
    app = build(Settings(database_url=db_url))
    yield app
    app.close()


@pytest.fixture
def api(tvers: Tvers) -> Iterator[TestClient]:
    with TestClient(create_app(tvers, run_relay=False), raise_server_exceptions=False) as client:
        yield client


def stored_keys(tvers: Tvers) -> list[Any]:
    with tvers.uow(read_only=True) as uow:
        return api_keys.list_api_keys(uow)


def test_migrate_exits_zero_and_says_so_on_stderr(tmp_path):
    # given an empty SQLite file's URL
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    # when the schema is migrated, twice
    first, again = run("migrate", url=url, cwd=tmp_path), run("migrate", url=url, cwd=tmp_path)
    # then both succeed, with nothing on stdout and the message on stderr
    assert (first.returncode, first.stdout) == (0, ""), first.stderr
    assert (again.returncode, again.stdout) == (0, ""), again.stderr
    assert first.stderr.startswith("migrated sqlite:///")
    assert (tmp_path / "fresh.db").exists()


def test_apikey_create_prints_only_the_key(tmp_path, db_url, api):
    # when an admin key is made
    created = run("apikey", "create", "--role", "admin", "--name", "ops", url=db_url, cwd=tmp_path)
    # then stdout is the key alone, the message is on stderr, and the key works
    assert created.returncode == 0, created.stderr
    lines = created.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tvk_"), created.stdout
    key = lines[0]
    assert "created admin key" in created.stderr
    assert key not in created.stderr
    assert ok(api.get("/api/v1/products", headers=bearer(key))) == {"items": [], "next_cursor": None}


def test_apikey_list_prints_json_lines_without_secrets(tmp_path, db_url, tvers):
    # given two keys
    keys = [make_key(tvers, Role.ADMIN), make_key(tvers, Role.ANALYST)]
    # when they are listed
    listed = run("apikey", "list", url=db_url, cwd=tmp_path)
    # then there is one JSON object per key, with its prefix and role but no secret anywhere
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert sorted((r["prefix"], r["role"], r["revoked_at"]) for r in rows) == sorted(
        (k.split("_")[1], role, None) for k, role in zip(keys, ("admin", "analyst"), strict=True))
    assert all("key" not in r and "secret_hash" not in r for r in rows)
    for key in keys:
        assert key.split("_", 2)[2] not in listed.stdout


def test_apikey_revoke_by_prefix_refuses_the_key(tmp_path, db_url, tvers, api):
    # given a working key
    key = make_key(tvers, Role.ANALYST)
    ok(api.get("/api/v1/products", headers=bearer(key)))
    prefix = key.split("_")[1]
    # when it is revoked by its prefix
    revoked = run("apikey", "revoke", prefix, url=db_url, cwd=tmp_path)
    # then the CLI shows it revoked, and it is refused by the service and the API
    assert revoked.returncode == 0, revoked.stderr
    shown = json.loads(revoked.stdout)
    assert (shown["prefix"], shown["revoked_at"] is not None) == (prefix, True)
    with pytest.raises(InvalidApiKey), tvers.uow(read_only=True) as uow:
        authenticate(uow, key)
    problem(api.get("/api/v1/products", headers=bearer(key)), 401, "invalid_api_key")


def test_apikey_revoke_of_an_unknown_key_fails(tmp_path, db_url):
    revoked = run("apikey", "revoke", "000000000000", url=db_url, cwd=tmp_path)
    assert (revoked.returncode, revoked.stdout) == (2, "")
    assert revoked.stderr == "error: api_key_not_found: no API key 000000000000\n"


@pytest.mark.parametrize(("args", "message"), [
    (("--role", "integration"), "error: invalid_scope: an integration key needs the channel it acts for"),
    (("--role", "store_staff"), "error: invalid_scope: a store staff key needs at least one location"),
    (("--role", "admin", "--channel", "web-no"), "error: invalid_scope: only integration keys are bound to a channel"),
])
def test_apikey_create_with_a_wrong_scope_fails_clearly(tmp_path, db_url, tvers, args, message):
    # when a key is asked for without the scope its role needs (or with one it may not have)
    created = run("apikey", "create", *args, url=db_url, cwd=tmp_path)
    # then the command fails with the reason on stderr, prints no key, and makes none
    assert (created.returncode, created.stdout) == (2, "")
    assert created.stderr.splitlines()[0] == message
    assert stored_keys(tvers) == []


def test_apikey_create_with_an_unknown_role_fails(tmp_path, db_url, tvers):
    created = run("apikey", "create", "--role", "root", url=db_url, cwd=tmp_path)
    assert created.returncode == 2 and created.stdout == ""
    assert "'root' is not one of" in created.stderr
    assert stored_keys(tvers) == []


# --- the demo ---------------------------------------------------------------------------------------------------------

Demo = tuple[Path, subprocess.CompletedProcess[str]]
DEMO_TIMEOUT = 300  # seconds; the demo builds its catalog, stock history and order history through the services
DEMO_ORDERS = 400  # fewer than the default, to keep the suite quick; enough for every kind of order to occur


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The demo built once with seed 7; TVERS_DATABASE_URL points elsewhere on purpose, as --db must win."""
    directory = tmp_path_factory.mktemp("demo")
    path = directory / "d.db"
    process = start("demo", "--no-serve", "--db", str(path), "--seed", "7", "--orders", str(DEMO_ORDERS),
                    url=f"sqlite:///{directory / 'other.db'}", cwd=directory)
    return path, finish(process, timeout=DEMO_TIMEOUT)


def all_products(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    items, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 200} if cursor is None else {"limit": 200, "after": cursor}
        page = ok(client.get("/api/v1/products", params=params, headers=headers))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def catalog_of(path: Path, key: str) -> tuple[list[str], list[str]]:
    tvers = build(Settings(database_url=f"sqlite:///{path}"))
    try:
        with TestClient(create_app(tvers, run_relay=False)) as client:
            products = all_products(client, bearer(key))
    finally:
        tvers.close()
    return sorted(p["handle"] for p in products), sorted(v["sku"] for p in products for v in p["variants"])


def test_demo_prints_only_the_admin_key(demo):
    path, built = demo
    assert built.returncode == 0, built.stderr
    lines = built.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tvk_"), built.stdout
    assert f"Demo retailer ready in {path}" in built.stderr
    assert not (path.parent / "other.db").exists()


def test_demo_builds_a_priced_translated_catalog(demo):
    # given the demo built with seed 7
    path, built = demo
    key = built.stdout.strip()
    tvers = build(Settings(database_url=f"sqlite:///{path}"))
    try:
        with TestClient(create_app(tvers, run_relay=False)) as client:
            # then it has a retailer-sized catalog
            products = all_products(client, bearer(key))
            assert len(products) >= 200
            assert sum(len(p["variants"]) for p in products) >= 1500
            # and the Norwegian web shop shows it in Norwegian, priced in NOK
            page = ok(client.get("/api/v1/channels/web-no/products", params={"limit": 5}, headers=bearer(key)))
            shown = page["items"]
            assert len(shown) == 5 and page["next_cursor"] is not None
            assert {p["locale"] for p in shown} == {"nb"}
            base = {p["id"]: p["title"] for p in products}
            assert any(p["title"] != base[p["id"]] for p in shown), [(p["title"], base[p["id"]]) for p in shown]
            variants = [v for p in shown for v in p["variants"]]
            assert variants
            assert all(v["price"] is not None and v["price"]["price"]["currency"] == "NOK" for v in variants)
    finally:
        tvers.close()


def test_same_seed_builds_the_same_catalog(demo):
    # given the demo built by the CLI with seed 7
    path, built = demo
    assert built.returncode == 0, built.stderr
    # then it holds exactly seed 7's products and SKUs, which come out the same every time the seed is used,
    # and differ for another seed (compared with the generator in-process: a second CLI build costs half a minute)
    generated = [build_catalog(7), build_catalog(7), build_catalog(8)]
    handles = [sorted(p.handle for p in c.products) for c in generated]
    skus = [sorted(v.sku for p in c.products for v in p.variants) for c in generated]
    assert catalog_of(path, built.stdout.strip()) == (handles[0], skus[0])
    assert (handles[1], skus[1]) == (handles[0], skus[0])
    assert (handles[2], skus[2]) != (handles[0], skus[0])


def test_orders_list_show_and_sweep(tmp_path, db_url, tvers):
    from support.checkout import APPROVE, card, make_shop, ship_to
    from tvers.workflows.checkout import Caller, place_direct_order
    from tvers.workflows.checkout_schemas import DirectOrderIn

    # given a shop and one order placed through the checkout
    make_shop(tvers)
    with TestClient(create_app(tvers, run_relay=False)) as client:
        key = run("apikey", "create", "--role", "admin", url=db_url, cwd=tmp_path).stdout.strip()
        price = ok(client.post("/api/v1/quotes", headers=bearer(key), json={
            "channel": "web", "lines": [{"sku": "CO-1", "quantity": 1}], "shipping": {"method": "ship", "country": "NO"}}))["grand_total"]
    placed = place_direct_order(tvers, DirectOrderIn.model_validate({
        "channel": "web", "lines": [{"sku": "CO-1", "quantity": 1}], "delivery": ship_to(), "tenders": [card(APPROVE, price["amount"])]}),
        caller=Caller(actor="test", checkout_key="cli-1"))
    # when the CLI lists, shows and sweeps
    listed = run("orders", "list", "--channel", "web", url=db_url, cwd=tmp_path)
    shown = run("orders", "show", placed.order.id, url=db_url, cwd=tmp_path)
    swept = run("orders", "sweep", url=db_url, cwd=tmp_path)
    # then stdout carries the order as JSON, and nothing was left to sweep
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == [placed.order.id]
    assert json.loads(shown.stdout)["number"] == "WEB-000001"
    assert swept.returncode == 0 and "0 stalled checkouts" in swept.stderr


def test_fulfilment_show_queue_pick_list_and_sweep(tmp_path, db_url, tvers):
    from support.checkout import APPROVE, card, make_shop, ship_to
    from tvers.workflows.checkout import Caller, place_direct_order
    from tvers.workflows.checkout_schemas import DirectOrderIn

    # given an order shipped from the Bergen store (the warehouse is empty), its tasks not yet made by a relay
    make_shop(tvers, warehouse_stock=0)
    with TestClient(create_app(tvers, run_relay=False)) as client:
        key = run("apikey", "create", "--role", "admin", url=db_url, cwd=tmp_path).stdout.strip()
        price = ok(client.post("/api/v1/quotes", headers=bearer(key), json={
            "channel": "web", "lines": [{"sku": "CO-2", "quantity": 2}], "shipping": {"method": "ship", "country": "NO"}}))["grand_total"]
    placed = place_direct_order(tvers, DirectOrderIn.model_validate({
        "channel": "web", "lines": [{"sku": "CO-2", "quantity": 2}], "delivery": ship_to(), "tenders": [card(APPROVE, price["amount"])]}),
        caller=Caller(actor="test", checkout_key="cli-f1"))
    # when the CLI shows the order's fulfilment, then Bergen's queue, and sweeps
    shown = run("fulfilment", "show", placed.order.id, url=db_url, cwd=tmp_path)
    queued = run("fulfilment", "queue", "bergen", "--status", "new", url=db_url, cwd=tmp_path)
    picks = run("fulfilment", "pick-list", "bergen", url=db_url, cwd=tmp_path)
    swept = run("fulfilment", "sweep", url=db_url, cwd=tmp_path)
    # then the decision is explained, the task is in Bergen's queue, nothing is accepted yet and nothing was overdue
    assert "checkout: " in shown.stderr and "Bergen" in shown.stderr
    tasks = [json.loads(line) for line in queued.stdout.splitlines()]
    assert [(t["order_id"], t["kind"], t["lines"][0]["quantity"]) for t in tasks] == [(placed.order.id, "ship", 2)]
    assert picks.returncode == 0 and picks.stdout == ""
    assert "0 overdue tasks re-sourced, 0 uncollected pickups expired" in swept.stderr


def test_demo_has_a_quarter_of_orders_on_every_channel(demo):
    # given the demo built with seed 7 and 400 orders
    path, built = demo
    assert built.returncode == 0, built.stderr
    tvers = build(Settings(database_url=f"sqlite:///{path}"))
    try:
        orders = placed_orders(tvers)
        with tvers.uow(read_only=True) as uow:
            channels = {c.code for c in list_channels(uow)}
    finally:
        tvers.close()
    # then every channel it has sold, through checkout, over the last 90 days, with promotions, split tenders and declines
    check_believable_quarter(orders, channels=channels, built_at=datetime.now(UTC), slack=timedelta(minutes=DEMO_TIMEOUT / 60 + 1))
    assert DEMO_ORDERS * 0.9 < len(orders) < DEMO_ORDERS * 1.1
    assert f"{len(orders)} orders on {len(channels)} channels" in built.stderr
    # and each split a shopper makes: gift card and card, store credit and cash at the till, points and card
    splits = {o.tenders for o in orders if len(o.tenders) > 1}
    assert {("gift_card", "test_card"), ("store_credit", "cash"), ("loyalty_points", "test_card")} <= splits
    # and each stored promotion worked on some order
    applied = {name for o in orders for name in o.promotions}
    for campaign in ("Jacket week", "Spend 1500 NOK", "Socks: buy 3", "Club week", "Welcome: 10 %"):
        assert any(name.startswith(campaign) for name in applied), (campaign, applied)


def test_doctor_finds_the_demo_healthy(demo, tmp_path):
    # given the demo with its stock and order history
    path, built = demo
    assert built.returncode == 0, built.stderr
    # when the doctor checks every cached balance against its ledger, and the stock held for orders
    checked = run("doctor", url=f"sqlite:///{path}", cwd=tmp_path)
    # then all agree
    assert checked.returncode == 0, checked.stdout[-2000:]
    assert json.loads(checked.stdout)["healthy"] is True
