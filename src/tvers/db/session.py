"""Engines and session factories, and the SQLite/PostgreSQL differences behind them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.orm import Session, sessionmaker

from tvers.settings import Settings


def normalise_url(url: str) -> str:
    """Accept the common `postgresql://` spelling and use psycopg 3 for it."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


@dataclass(frozen=True)
class Database:
    """A write engine and a read engine (the same engine on PostgreSQL)."""

    url: str
    engine: Engine
    read_engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


def connect(settings: Settings) -> Database:
    url = normalise_url(settings.database_url)
    if url.startswith("sqlite"):
        engine = _sqlite_engine(url, settings, begin="BEGIN IMMEDIATE")
        read_engine = _sqlite_engine(url, settings, begin="BEGIN")
    else:
        engine = create_engine(url, pool_size=settings.pool_size, max_overflow=settings.pool_size)
        _ping_when_idle(engine, idle_seconds=settings.pool_ping_after_idle_seconds)
        read_engine = engine
    return Database(
        url=url,
        engine=engine,
        read_engine=read_engine,
        sessions=sessionmaker(engine, expire_on_commit=False),
        read_sessions=sessionmaker(read_engine, expire_on_commit=False),
    )


def _ping_when_idle(engine: Engine, *, idle_seconds: float) -> None:
    """Check a pooled connection before use only if it sat idle for `idle_seconds` or more (0: before every use).

    What `pool_pre_ping` does for every checkout, at a round trip per unit of work, is kept for connections that
    waited in the pool, which is when a server restart or an idle timeout breaks them. One returned moments ago
    was just working; if the server went away since, its first statement fails, and that error invalidates the
    pool, so the next unit of work gets a fresh connection.
    """

    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is not None and time.monotonic() - checked_in_at < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool discards this connection and checks out another
            raise exc.DisconnectionError(f"pooled connection failed its check: {error}") from error


def _sqlite_engine(url: str, settings: Settings, *, begin: str) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": settings.sqlite_busy_timeout_ms / 1000})

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event (below) issue BEGIN itself, so writes can take the
        # write lock up front (IMMEDIATE) instead of failing on upgrade mid-transaction.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(settings.sqlite_busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine
