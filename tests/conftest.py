"""Fixtures shared by every test tier: a migrated database per backend, a Tvers on it, an API client."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, Table, create_engine, text
from sqlalchemy.engine import make_url

from tvers.bootstrap import Tvers, build
from tvers.db.migrate import upgrade
from tvers.db.session import normalise_url
from tvers.kernel.clock import FixedClock
from tvers.schema import target_metadata
from tvers.settings import Settings

BACKENDS = ("sqlite", "postgresql")
START = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def _postgres_admin_url() -> str | None:
    url = os.environ.get("TVERS_TEST_POSTGRES_URL")
    if not url and os.environ.get("TVERS_REQUIRE_POSTGRES") == "1":
        pytest.fail("TVERS_REQUIRE_POSTGRES=1 but TVERS_TEST_POSTGRES_URL is not set")
    return normalise_url(url) if url else None


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """A database of its own for this test run on the shared server, dropped afterwards."""
    admin_url = _postgres_admin_url()
    if admin_url is None:
        yield None
        return
    name = f"tvers_test_{secrets.token_hex(6)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # a missing server must fail loudly when it is required
        if os.environ.get("TVERS_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required but not reachable: {error}")
        yield None
        return
    yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                 postgres_database: str | None) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'tvers.db'}"
    elif postgres_database is None:
        pytest.skip("PostgreSQL tests need TVERS_TEST_POSTGRES_URL")
    else:
        url = postgres_database
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def tvers(database_url: str, clock: FixedClock) -> Iterator[Tvers]:
    app = build(Settings(database_url=database_url), clock=clock, subscribers=())
    _empty_all_tables(app)
    yield app
    app.close()


def _empty_all_tables(app: Tvers) -> None:
    """Empty the tables the last test wrote to, children first.

    One query finds the tables holding rows; only those are emptied. A TRUNCATE of every table per test
    rewrote ~50 relation files each time and made the PostgreSQL half of the suite disk-bound.
    """
    tables = [t for t in reversed(target_metadata.sorted_tables)]
    with app.db.engine.begin() as connection:
        probe = " UNION ALL ".join(f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables)
        holding = {row[0] for row in connection.execute(text(probe))}
        for table in tables:
            if table.name in holding:
                connection.execute(text(f'DELETE FROM "{table.name}"'))
        if app.db.dialect == "postgresql":
            _restart_identities(connection, [t for t in tables if t.name in holding])


def _restart_identities(connection: Connection, tables: list[Table]) -> None:
    """Serial ids start again at 1, as they would in a fresh database."""
    for table in tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True:
                connection.execute(text("SELECT setval(pg_get_serial_sequence(:table, :column), 1, false)"),
                                   {"table": table.name, "column": column.name})


@pytest.fixture
def backend(tvers: Tvers) -> str:
    return tvers.db.dialect


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
