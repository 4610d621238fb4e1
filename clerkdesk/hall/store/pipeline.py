"""PostgreSQL: a write's statements that return nothing travel with the next one that does, and
the last of them with the COMMIT (psycopg's pipeline mode).

A write at the counter is a few reads whose answers the work needs (who is signing, the window
locked, the ticket chosen) and then only writes: the window's last call, the ticket's new
state, its history row, the stored answer for the Idempotency-Key, the event row, the commit.
Each was a round trip of its own: the server process waited for PostgreSQL to be scheduled,
answer, and be scheduled again, seven to nine times a request. Inside `one_trip` a statement
that returns nothing (an INSERT, UPDATE or DELETE without RETURNING, built with Core) is only
queued; a statement whose rows are needed sends the queue with it and waits once; the block's
end sends what is left with the COMMIT: one round trip for the whole tail of the write. Only
statements marked `queued` wait in the queue: the hot path's writes, whose results nobody reads.

What stays the same: the statements, their order, the transaction (one, begun before the
block); locks are taken in the same order, only sent sooner or later within it. An error in a
queued statement surfaces at the next wait (the statement that waits reports it, as SQLAlchemy's
error of its kind), or at the end, where it is raised as SQLAlchemy's error of its kind and the
transaction rolls back: an answer is only ever sent after its COMMIT was confirmed. ORM
flushes are never queued (the unit of work reads their row counts).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Engine, event, exc

_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE, without importing psycopg on SQLite halls
PIPE = "clerkdesk_pipeline"
"""`Connection.info` key: the psycopg pipeline of the write in progress on the connection."""


def install(engine: Engine) -> None:
    """Let statements that need their results wait for them (PostgreSQL engines)."""

    @event.listens_for(engine, "after_cursor_execute")
    def _results_now(
        conn: Connection,
        _cursor: Any,
        _statement: str,
        _parameters: Any,
        context: Any,
        _executemany: bool,
    ) -> None:
        pipe = conn.info.get(PIPE)
        if pipe is not None and not returns_nothing(context):
            pipe.sync()  # send the queue and this statement; their results come back now


QUEUE = "clerkdesk_queue"
"""The execution option that marks a statement as one whose result nobody reads (`queued`)."""


def queued(statement: Any) -> Any:
    """`statement` (an INSERT, UPDATE or DELETE without RETURNING whose row count nobody reads)
    marked to wait in the queue of a write in progress (on PostgreSQL; ignored elsewhere)."""
    return statement.execution_options(**{QUEUE: True})


def returns_nothing(context: Any) -> bool:
    """A statement marked `queued` that has no RETURNING: nobody reads what it gives back.
    Anything else waits for its results (an ORM flush reads its row counts)."""
    compiled = getattr(context, "compiled", None)
    if compiled is None or not context.execution_options.get(QUEUE):
        return False
    return not compiled.effective_returning


@contextlib.contextmanager
def one_trip(conn: Connection) -> Iterator[None]:
    """The transaction begun on `conn` (PostgreSQL), in one pipeline: its BEGIN goes with the
    first statement that waits, the statements that return nothing are queued, and on a clean
    exit the COMMIT goes with the last of them. The caller's own commit then finds nothing to
    do; on an error the transaction is rolled back here.

    psycopg sends a transaction's BEGIN by itself and waits for it (in a pipeline too, to know
    the transaction began); here the connection is in autocommit for the block, and the BEGIN
    is an ordinary queued statement. It is back out of autocommit, idle, when the block ends
    (a connection that cannot be brought back is invalidated, never pooled as it is)."""
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.autocommit = True
    try:
        with raw.pipeline() as pipe, raw.cursor() as cursor:
            cursor.execute("BEGIN")
            conn.info[PIPE] = pipe
            try:
                yield
                cursor.execute("COMMIT")
            finally:
                conn.info.pop(PIPE, None)
    except exc.DBAPIError:
        _roll_back(conn, raw)
        raise
    except Exception as error:
        _roll_back(conn, raw)
        dbapi = conn.dialect.loaded_dbapi
        if isinstance(error, dbapi.Error):  # raised by the pipeline's last round trip
            raise exc.DBAPIError.instance(
                "COMMIT", None, error, dbapi.Error, dialect=conn.dialect
            ) from error
        raise
    finally:
        _out_of_autocommit(conn, raw)


def _roll_back(conn: Connection, raw: Any) -> None:
    """Leave no transaction open on the connection after a failed block."""
    try:
        if not raw.closed and raw.pgconn.transaction_status != _IDLE:
            raw.rollback()
    except Exception:  # the connection is broken: it must not go back to the pool
        conn.invalidate()


def _out_of_autocommit(conn: Connection, raw: Any) -> None:
    if conn.invalidated or raw.closed:
        return
    try:
        raw.autocommit = False
    except Exception:
        conn.invalidate()
