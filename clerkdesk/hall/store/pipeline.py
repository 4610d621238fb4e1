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

The reads before the writes need not wait one by one either: those whose parameters are known
before the work begins (the ticket or window a request names, its hall found through the
token) are sent ahead with the token check (`send_ahead`), and the work's own reads of the same
names take their rows (`ahead`): BEGIN, token check and reads in one wait, the writes and the
COMMIT in another. A read that depends on what an earlier one answered in Python (an issue's
number, after the service and the calendar) still waits on its own.

What stays the same: the statements, their order, the transaction (one, begun before the
block); locks are taken in the same order, only sent sooner or later within it. An error in a
queued statement surfaces at the next wait (the statement that waits reports it, as SQLAlchemy's
error of its kind), or at the end, where it is raised as SQLAlchemy's error of its kind and the
transaction rolls back: an answer is only ever sent after its COMMIT was confirmed. ORM
flushes are never queued (the unit of work reads their row counts).
"""

from __future__ import annotations

import contextlib
import typing
from collections.abc import Iterator
from typing import Any

from sqlalchemy import BindParameter, Connection, Engine, Select, event, exc
from sqlalchemy.sql.visitors import replacement_traverse

_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE, without importing psycopg on SQLite halls
PIPE = "clerkdesk_pipeline"
"""`Connection.info` key: the psycopg pipeline of the write in progress on the connection."""


def install(engine: Engine) -> None:
    """Let statements that need their results wait for them (PostgreSQL engines)."""

    @event.listens_for(engine, "after_cursor_execute")
    def _results_now(
        conn: Connection,
        cursor: Any,
        _statement: str,
        _parameters: Any,
        context: Any,
        _executemany: bool,
    ) -> None:
        pipe = conn.info.get(PIPE)
        if pipe is None or returns_nothing(context) or context.cursor is not cursor:
            return  # queued, or sent ahead, or served from what was (`served_ahead`)
        pipe.sync()  # send the queue and this statement; their results come back now

    @event.listens_for(engine, "do_execute")
    def _send_or_serve_ahead(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
        name = context.execution_options.get(AHEAD)
        if name is None:
            return False
        conn = context.root_connection
        sent: dict[str, tuple[Any, dict[str, Any]]] | None = conn.info.get(SENT)
        if sent is None:  # not in a write's pipeline
            return False
        if context.execution_options.get(_SENDING):
            cursor.execute(statement, parameters)  # in the pipeline: sent, not waited for
            sent[name] = (cursor, parameters)
            # SQLAlchemy reads and closes the context's cursor: give it an idle one.
            context.cursor = conn.connection.driver_connection.cursor()
            return True
        found = sent.pop(name, None)
        if found is None:
            return False
        ahead, ahead_parameters = found
        if not isinstance(parameters, dict) or any(
            parameters.get(k, v) != v for k, v in ahead_parameters.items()
        ):
            ahead.close()  # not the read sent ahead after all: run this one as usual
            return False
        if ahead.pgresult is None:  # its results are on their way: one wait brings them all
            conn.info[PIPE].sync()
        cursor.close()
        context.cursor = ahead
        return True


AHEAD = "clerkdesk_ahead"
"""The execution option that names a read a write may have sent ahead (`send_ahead`): executed
with it, the read takes the results of the one sent ahead under that name, if there is one and
it was sent with the same values for the parameters both have; else it runs as usual."""
_SENDING = "clerkdesk_sending_ahead"
SENT = "clerkdesk_sent_ahead"
"""`Connection.info` key: the reads sent ahead in the write in progress, by name."""


Ahead = list[tuple[str, Any, dict[str, Any]]]
"""Reads to send ahead: (name, statement, parameters) each (`send_ahead`)."""


def served_ahead(context: Any, cursor: Any) -> bool:
    """Whether an execution (its `after_cursor_execute` event's context and cursor) took the
    rows of a read sent ahead: no statement of its own went to the database."""
    return context.cursor is not cursor and not context.execution_options.get(_SENDING)


def ahead(name: str) -> dict[str, Any]:
    """Execution options for a read that may have been sent ahead under `name`."""
    return {AHEAD: name}


def send_ahead(conn: Connection, name: str, statement: Any, parameters: dict[str, Any]) -> None:
    """Send a read now, in the pipeline of the write in progress, without waiting for it: its
    results come back with the next wait, together with everything sent before it. The work
    gets them by executing a read with `ahead(name)` (`AHEAD`). Only reads whose parameters are
    known before the work begins can go ahead (on PostgreSQL: who is signing in is not yet
    known; a read finds its hall through the token, see `access.principal.HALL_OF_TOKEN`).

    What stays the same: the reads are those the work would have sent, in the order it would
    have sent them, each a statement of its own (on PostgreSQL each sees what was committed
    before it began, a lock it waited for included); they are only sent before the work has
    looked at the answers of the earlier ones. A read whose answer the work never asks for
    (it refused on an earlier one) was sent for nothing: what it locked is released with the
    rollback. Outside a write's pipeline (SQLite) this does nothing."""
    if SENT not in conn.info:
        return
    options = {AHEAD: name, _SENDING: True}
    conn.execute(statement, parameters, execution_options=options)


def binds_replaced(statement: Select[Any], **replacements: Any) -> Select[Any]:
    """`statement` with each bind parameter named in `replacements` replaced by its expression
    (a scalar subquery): the form of a read that can be sent ahead, before the values of those
    parameters are known. The columns, and so the rows' shape, are the statement's own."""

    def replace(element: Any, **_kw: Any) -> Any:
        if isinstance(element, BindParameter) and element.key in replacements:
            return replacements[element.key]
        return None

    return typing.cast("Select[Any]", replacement_traverse(statement, {}, replace))


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
            conn.info[SENT] = {}
            try:
                yield
                cursor.execute("COMMIT")
            finally:
                conn.info.pop(PIPE, None)
                for left, _ in conn.info.pop(SENT, {}).values():
                    left.close()
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
