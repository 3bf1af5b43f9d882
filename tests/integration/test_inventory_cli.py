"""The stock commands of the real `tvers` CLI: locations, receipts, counts, transfers, sync, reports, doctor."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tvers.bootstrap import build
from tvers.catalog import service as catalog
from tvers.catalog.schemas import ProductIn, VariantIn
from tvers.db.migrate import upgrade
from tvers.inventory import service as inventory
from tvers.inventory.schemas import StockSettingsIn
from tvers.settings import Settings


def tvers_cli(*args: str, url: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TVERS_")} | {"TVERS_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "tvers", *args], env=env, input=stdin, text=True, capture_output=True, timeout=120)


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'stock.db'}"
    upgrade(create_engine(url))
    app = build(Settings(database_url=url))
    with app.uow() as uow:
        catalog.create_product(uow, ProductIn(handle="tent", title="Tent", variants=[VariantIn(sku="TENT")]))
        uow.commit()
    app.close()
    return url


def test_stock_commands_end_to_end(url, tmp_path):
    for code, lat in (("oslo", 59.91), ("dc", 59.76)):
        created = tvers_cli("location", "create", code, code.title(), "Oslo", "NO", str(lat), "10.75", "--pickup", url=url)
        assert created.returncode == 0, created.stderr
        assert json.loads(created.stdout)["code"] == code

    received = tvers_cli("stock", "receive", "dc", "TENT=10", url=url)
    assert [json.loads(line)["on_hand"] for line in received.stdout.splitlines()] == [10]

    transfer = json.loads(tvers_cli("transfer", "create", "dc", "oslo", "TENT=4", url=url).stdout)
    assert tvers_cli("transfer", "ship", transfer["id"], url=url).returncode == 0
    arrived = json.loads(tvers_cli("transfer", "receive", transfer["id"], "TENT=4", url=url).stdout)
    assert arrived["status"] == "received"

    assert tvers_cli("stock", "count", "oslo", "TENT", "3", url=url).stdout.strip() == "-1"

    csv = "location,sku,quantity\ndc,TENT,9\nnowhere,TENT,1\n"
    report = json.loads(tvers_cli("stock", "sync", "-", "--batch-id", "erp-1", url=url, stdin=csv).stdout)
    assert (report["applied"], report["unknown_locations"]) == (1, ["nowhere"])

    levels = {x["location"]: x["on_hand"] for x in json.loads(tvers_cli("stock", "show", "TENT", url=url).stdout)["locations"]}
    assert levels == {"dc": 9, "oslo": 3}

    healthy = tvers_cli("doctor", url=url)
    assert healthy.returncode == 0 and json.loads(healthy.stdout)["healthy"] is True


def test_doctor_exits_non_zero_when_the_cache_disagrees(url):
    assert tvers_cli("location", "create", "oslo", "Oslo", "Oslo", "NO", "59.9", "10.7", url=url).returncode == 0
    assert tvers_cli("stock", "receive", "oslo", "TENT=2", url=url).returncode == 0
    with create_engine(url).begin() as connection:
        connection.execute(text("UPDATE stock_levels SET reserved = 1"))
    sick = tvers_cli("doctor", url=url)
    assert sick.returncode == 1
    assert json.loads(sick.stdout)["stock"]["findings"] == [
        {"sku": "TENT", "location": "oslo", "field": "reserved", "cached": 1, "ledger": 0}]


def test_bad_input_exits_non_zero_with_a_message(url):
    failed = tvers_cli("stock", "receive", "nowhere", "TENT=1", url=url)
    assert failed.returncode == 2
    assert "location_not_found" in failed.stderr
    assert failed.stdout == ""


def test_replenishment_report(url):
    for code, lat in (("oslo", 59.91), ("dc", 59.76)):
        tvers_cli("location", "create", code, code, "Oslo", "NO", str(lat), "10.75", "--type", "warehouse" if code == "dc" else "store",
                  url=url)
    tvers_cli("stock", "receive", "dc", "TENT=30", url=url)
    app = build(Settings(database_url=url))
    with app.uow() as uow:
        inventory.set_stock_settings(uow, StockSettingsIn(location="oslo", sku="TENT", reorder_point=2, reorder_quantity=6))
        uow.commit()
    app.close()
    lines = tvers_cli("report", "replenishment", url=url).stdout.splitlines()
    assert [json.loads(line) | {"reason": ""} for line in lines] == [
        {"location": "oslo", "sku": "TENT", "kind": "transfer", "quantity": 6, "from_location": "dc", "reason": ""}]
