"""Engines and transactions: one code path for SQLite and PostgreSQL.

SQLite: WAL, no implicit BEGIN from pysqlite, and every transaction is `BEGIN IMMEDIATE`, so
two writers never read the same "next waiting ticket" (FIELD-NOTES: the default setup
double-assigns). PostgreSQL: claims use `FOR UPDATE SKIP LOCKED` (see store.tickets).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=8,
            max_overflow=32,
        )
        _sqlite_recipe(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_size=10, max_overflow=30, pool_pre_ping=True)
    raise ValueError(f"unsupported database {url!r}: use sqlite:///PATH or postgresql+psycopg://…")


def make_listen_engine(url: str) -> Engine:
    """A small engine without pooling, for long-lived LISTEN connections."""
    return create_engine(url, poolclass=NullPool)


def _sqlite_recipe(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA journal_mode=WAL")
        dbapi_conn.execute("PRAGMA synchronous=NORMAL")
        dbapi_conn.execute("PRAGMA foreign_keys=ON")
        dbapi_conn.execute("PRAGMA busy_timeout=30000")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # Readers (engine.execution_options(clerkdesk_read=True)) take no write lock: WAL lets
        # them run beside the one writer.
        if conn.get_execution_options().get("clerkdesk_read"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def is_postgres(conn_or_engine: Connection | Engine) -> bool:
    return conn_or_engine.dialect.name == "postgresql"
