"""Each window's serving time per service and day (`served_day`), kept as tickets change.

A ticket counts where its columns say: started and finished (a case done, or cancelled while
served) at its window, for its service, on its service day, for finished minus started. The
one writer of a ticket's history (`transitions.change`) calls `follow` with the ticket's row
before a change and its columns after: the part it counted before is taken away and the part
it counts after is added, so the sums are always those of the tickets' own columns (what the
hall monitor summed over the day's tickets before, on every read).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select

from clerkdesk.hall.store import tables
from clerkdesk.hall.store.pipeline import queued

_d = tables.served_day

Part = tuple[tuple[int, date, int, int], int]
"""((hall_id, local_date, window_id, service_id), milliseconds served)."""


def part(ticket: Mapping[str, Any]) -> Part | None:
    """What the ticket's columns add to the sums (None: nothing, it was not served)."""
    started, finished, window = ticket["started_at"], ticket["finished_at"], ticket["window_id"]
    if started is None or finished is None or window is None:
        return None
    ms = round((finished - started).total_seconds() * 1000)
    return (ticket["hall_id"], ticket["local_date"], window, ticket["service_id"]), ms


def _add(insert_: Any) -> Any:
    statement = insert_(_d).values(
        hall_id=bindparam("hall_id"),
        local_date=bindparam("local_date"),
        window_id=bindparam("window_id"),
        service_id=bindparam("service_id"),
        served_ms=bindparam("served_ms"),
        cases=bindparam("cases"),
    )
    return queued(  # on PostgreSQL it goes with the COMMIT (store.pipeline): nobody reads it
        statement.on_conflict_do_update(
            index_elements=[_d.c.local_date, _d.c.window_id, _d.c.service_id],
            set_={
                "served_ms": _d.c.served_ms + statement.excluded.served_ms,
                "cases": _d.c.cases + statement.excluded.cases,
            },
        )
    )


@cache
def add_statement(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return _add(postgresql.insert)
    from sqlalchemy.dialects import sqlite

    return _add(sqlite.insert)


def _apply(conn: Connection, found: Part, sign: int) -> None:
    (hall_id, local_date, window_id, service_id), ms = found
    conn.execute(
        add_statement(conn.dialect.name),
        {
            "hall_id": hall_id,
            "local_date": local_date,
            "window_id": window_id,
            "service_id": service_id,
            "served_ms": sign * ms,
            "cases": sign,
        },
    )


def follow(conn: Connection, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    """Move the sums from what `before` counted to what `after` counts (most changes: none)."""
    was, now = part(before), part(after)
    if was == now:
        return
    if was is not None:
        _apply(conn, was, -1)
    if now is not None:
        _apply(conn, now, +1)


def from_tickets(conn: Connection) -> dict[tuple[int, date, int, int], tuple[int, int]]:
    """The sums as the tickets' own columns give them, read from every ticket (what the kept
    rows must equal; a store filled without the writer, as a benchmark's, is filled from it)."""
    _t = tables.ticket
    found: dict[tuple[int, date, int, int], tuple[int, int]] = {}
    for row in conn.execute(
        select(*(_t.c[k] for k in ("hall_id", "local_date", "window_id", "service_id")))
        .add_columns(_t.c.started_at, _t.c.finished_at)
        .where(_t.c.started_at.is_not(None), _t.c.finished_at.is_not(None))
    ):
        counted = part(dict(row._mapping))
        if counted is None:
            continue
        key, ms = counted
        total, cases = found.get(key, (0, 0))
        found[key] = (total + ms, cases + 1)
    return found


def kept(conn: Connection) -> dict[tuple[int, date, int, int], tuple[int, int]]:
    """The kept rows, as `from_tickets` gives them (rows whose cases went back to 0 left out)."""
    return {
        (r.hall_id, r.local_date, r.window_id, r.service_id): (r.served_ms, r.cases)
        for r in conn.execute(select(_d)).all()
        if r.cases
    }


def fill(conn: Connection) -> None:
    """Write the sums from the tickets (a store filled in bulk, without the writer)."""
    conn.execute(delete(_d))
    rows = [
        {
            "hall_id": hall_id,
            "local_date": local_date,
            "window_id": window_id,
            "service_id": service_id,
            "served_ms": ms,
            "cases": cases,
        }
        for (hall_id, local_date, window_id, service_id), (ms, cases) in from_tickets(conn).items()
    ]
    if rows:
        conn.execute(insert(_d), rows)
