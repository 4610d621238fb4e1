"""Engines and transactions: one code path for SQLite and PostgreSQL.

SQLite: WAL, no implicit BEGIN from pysqlite, and every transaction is `BEGIN IMMEDIATE`, so
two writers never read the same "next waiting ticket" (FIELD-NOTES: the default setup
double-assigns). PostgreSQL: claims use `FOR UPDATE SKIP LOCKED` (see store.tickets).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InvalidatePoolError


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class UnsupportedDatabase(ValueError):
    """The URL names a database the hall does not run on."""


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.query.get("uri"):
            private_sqlite_file(Path(parsed.database))
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=8,
            max_overflow=32,
        )
        _sqlite_recipe(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        # A host that drops packets would otherwise keep a connection attempt waiting forever.
        connect_args = {} if "connect_timeout" in parsed.query else {"connect_timeout": 10}
        engine = create_engine(url, pool_size=10, max_overflow=30, connect_args=connect_args)
        _ping_after_idle(engine)
        from clerkdesk.hall.store import pipeline

        pipeline.install(engine)
        return engine
    raise UnsupportedDatabase(
        f"unsupported database {parsed.render_as_string(hide_password=True)!r}: "
        "use sqlite:///PATH or postgresql+psycopg://…"
    )


SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_sqlite_file(path: Path) -> None:
    """The hall's SQLite file holds password hashes and citizens' notes: only its owner may
    read it. A missing folder is made 0700 and a new file 0600 before SQLite opens it (SQLite
    gives its -wal and -shm files the database file's permissions); a file, or a -wal or -shm
    beside it, that others may read is narrowed to its owner (when this user owns it). A folder
    that exists is left as it is: it may be anyone's (`--db sqlite:///srv/shared/hall.db`)."""
    if not path.parent.is_dir():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return
    except FileExistsError:
        pass
    for each in (path, *(path.with_name(path.name + end) for end in SQLITE_COMPANIONS)):
        try:
            mode = stat.S_IMODE(each.stat().st_mode)
            if mode & 0o077:
                each.chmod(mode & 0o700)
        except OSError:  # absent, or someone else's: SQLite says what it can and cannot do
            continue


PING_AFTER_IDLE_S = 1.0


def _ping_after_idle(engine: Engine) -> None:
    """`pool_pre_ping`, but only for a connection that sat in the pool a while: one that was in
    use a moment ago is alive, and a round trip per request (a tenth of a write's) is saved
    under load. After a database restart every pooled connection has been idle longer than the
    restart took: the first one pinged is found dead, the pool drops every connection it holds
    and opens a fresh one, before a request sees any of them."""

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # the database went away: the pool drops all it holds
            raise InvalidatePoolError(f"connection lost while idle: {exc}") from exc


def _sqlite_recipe(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        _use_wal(dbapi_conn)
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


WAL_TRIES = 50


def _use_wal(dbapi_conn: Any) -> None:
    """WAL is kept in the file: once one connection has set it, the others find it set. Setting
    it needs the file to itself, and SQLite answers "database is locked" at once (its busy
    timeout does not apply) when several connections open a new file together (several server
    processes starting, a test's parallel clients): wait a moment and look again."""
    for attempt in range(WAL_TRIES):
        try:
            if str(dbapi_conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                return
            dbapi_conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            time.sleep(0.01 * (attempt + 1))
    dbapi_conn.execute("PRAGMA journal_mode=WAL")  # the last try: its error is the answer
