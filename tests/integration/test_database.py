"""The schema comes from migrations only, and it matches the models; SQLite runs as configured."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from tvers.db.migrate import alembic_config, current_heads
from tvers.schema import target_metadata


def test_models_and_migrations_agree(tvers):
    # given a database made by the migrations (the session fixture runs them)
    with tvers.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        # when autogenerate compares it with the models
        differences = compare_metadata(context, target_metadata)
    # then it finds nothing to do
    assert differences == []


def test_database_is_at_the_latest_migration(tvers):
    heads = set(ScriptDirectory.from_config(alembic_config(tvers.db.engine)).get_heads())
    assert current_heads(tvers.db.engine) == heads


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(tvers):
    if tvers.db.dialect != "sqlite":
        return
    with tvers.db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == tvers.settings.sqlite_busy_timeout_ms


def test_sqlite_write_transactions_take_the_write_lock_up_front(tvers):
    """BEGIN IMMEDIATE: a second writer waits at BEGIN, not mid-transaction with a deadlock error."""
    if tvers.db.dialect != "sqlite":
        return
    statements: list[str] = []
    from sqlalchemy import event

    def remember(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(tvers.db.engine, "before_cursor_execute", remember)
    try:
        with tvers.uow() as uow:
            uow.session.execute(text("SELECT 1"))
    finally:
        event.remove(tvers.db.engine, "before_cursor_execute", remember)
    assert "BEGIN IMMEDIATE" in statements


def test_postgres_checks_a_pooled_connection_only_after_it_sat_idle(tvers):
    """A connection used moments ago goes straight back to work; one that waited is pinged, and replaced if broken."""
    if tvers.db.dialect != "postgresql":
        return
    import time

    from tvers.bootstrap import build
    from tvers.settings import Settings

    app = build(Settings(database_url=tvers.settings.database_url, pool_size=1, pool_ping_after_idle_seconds=0.3), subscribers=())
    pings = 0
    ping = app.db.engine.dialect.do_ping

    def counted(dbapi_connection):  # type: ignore[no-untyped-def]
        nonlocal pings
        pings += 1
        return ping(dbapi_connection)

    app.db.engine.dialect.do_ping = counted  # type: ignore[method-assign]
    try:
        def backend_pid() -> int:
            with app.uow(read_only=True) as uow:
                return int(uow.session.execute(text("SELECT pg_backend_pid()")).scalar_one())

        first = backend_pid()
        assert backend_pid() == first and pings == 1  # a new connection is checked once, a busy one not again
        with tvers.db.engine.begin() as other:  # the server drops the idle connection
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        time.sleep(0.4)
        assert backend_pid() != first  # checked after waiting, found broken, replaced: no error reaches the caller
    finally:
        app.close()
