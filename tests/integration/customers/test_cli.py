"""`tvers customers …` and `tvers giftcard issue` against the test database."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from support.customers import create, ident, seed_channels
from tvers.cli import app
from tvers.customers import service as customers


def test_find_export_erase_and_issue_from_the_command_line(tvers, monkeypatch):
    seed_channels(tvers)
    kari = create(tvers, ident("email", "kari@example.no"), given_name="Kari", family_name="Nordmann")
    monkeypatch.setenv("TVERS_DATABASE_URL", tvers.settings.database_url)
    runner = CliRunner()

    found = runner.invoke(app, ["customers", "find", "--q", "nord"])
    assert found.exit_code == 0 and json.loads(found.stdout.splitlines()[0])["id"] == kari
    exported = runner.invoke(app, ["customers", "export", kari])
    assert exported.exit_code == 0 and json.loads(exported.stdout)["profile"]["family_name"] == "Nordmann"
    assert runner.invoke(app, ["customers", "erase", kari]).exit_code == 2
    assert runner.invoke(app, ["customers", "erase", kari, "--yes"]).exit_code == 0
    issued = runner.invoke(app, ["giftcard", "issue", "250.00", "--currency", "NOK"])
    assert issued.exit_code == 0

    code = issued.stdout.strip().splitlines()[-1]
    with tvers.uow(read_only=True) as uow:
        assert customers.get_customer(uow, kari).status == "erased"
        assert customers.check_gift_card(uow, code).balance.amount == "250.00"
