"""The statements of the ticket lifecycle, built once as SQLAlchemy Core (see `tables`).

Each is a module-level statement with named bind parameters, so SQLAlchemy compiles it once
per dialect and every request only binds values. Rows come back with the ticket's columns plus
what its answer needs (`wire.ticket_answer`): the service's code, name and minutes, the
window's number, the staff number of whoever called it. A ticket's own row and its history are
written by `tickets.transitions` alone; these read and lock.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    any_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    true,
    union_all,
    update,
)

from clerkdesk.hall.access.principal import HALL_OF_TOKEN
from clerkdesk.hall.rules import queue_order
from clerkdesk.hall.rules.ticket_states import CALLED, NO_SHOW, SERVING, WAITING
from clerkdesk.hall.rules.tide import TIDE_FIRST
from clerkdesk.hall.store import tables
from clerkdesk.hall.store.models import UTCDateTime
from clerkdesk.hall.store.pipeline import binds_replaced, queued

_t = tables.ticket
_s = tables.service
_h = tables.hall
_w = tables.window
_ws = tables.window_service
_wsn = tables.window_session
_staff = tables.staff
_counter = tables.ticket_counter
_tw = tables.tide_window
_ts = tables.tide_service

ANSWER_COLUMNS = (
    *_t.c,
    _s.c.code.label("service_code"),
    _s.c.name.label("service_name"),
    _s.c.estimated_minutes,
)

# --- issue ------------------------------------------------------------------------------------

SERVICE_BY_CODE = (
    select(
        _s.c.id,
        _s.c.active,
        _s.c.prefix,
        _s.c.code,
        _s.c.name,
        _s.c.estimated_minutes,
        _s.c.cutoff_minutes,
        _h.c.timezone,
    )
    .join_from(_s, _h, _h.c.id == _s.c.hall_id)
    .where(_s.c.hall_id == bindparam("hall_id"), _s.c.code == bindparam("code"))
)


def _next_number(insert_: Any) -> Any:
    """Today's next number of a service, in one upsert (bind service_id, local_date)."""
    return (
        insert_(_counter)
        .values(service_id=bindparam("service_id"), local_date=bindparam("day"), last_number=1)
        .on_conflict_do_update(
            index_elements=[_counter.c.service_id, _counter.c.local_date],
            set_={"last_number": _counter.c.last_number + 1},
        )
        .returning(_counter.c.last_number)
    )


@cache
def number_and_id() -> Any:
    """PostgreSQL: today's next number of a service (bind service_id, day) and the id the new
    ticket will have, drawn from its sequence, in one statement: the ticket's insert then needs
    no answer and goes with the COMMIT (store.pipeline), one wait fewer for every issue."""
    from sqlalchemy.dialects import postgresql

    drawn = _next_number(postgresql.insert).cte("drawn")
    sequence = func.pg_get_serial_sequence(_t.name, _t.c.id.name)
    return select(drawn.c.last_number, func.nextval(sequence).label("ticket_id"))


@cache
def next_number(dialect: str) -> Any:
    """The upsert for `dialect` ("postgresql" or "sqlite"). The dialect's module is imported on
    first use: importing PostgreSQL's pulls in all of its drivers' modules (about 20 ms of the
    workstation's start on the embedded SQLite hall, which never needs it)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return _next_number(postgresql.insert)
    from sqlalchemy.dialects import sqlite

    return _next_number(sqlite.insert)


# --- calling ----------------------------------------------------------------------------------

_NOW = bindparam("now", type_=UTCDateTime())
RANK = case(
    (
        (_t.c.priority == "appointment")
        & (_t.c.appointment_at.is_(None) | (_t.c.appointment_at > _NOW)),
        queue_order.NORMAL_RANK,
    ),
    *[(_t.c.priority == name, rank) for name, rank in queue_order.PRIORITY_RANK.items()],
    else_=queue_order.NORMAL_RANK,
)
"""The SQL twin of rules.queue_order.effective_rank (kept together by a property test)."""

TIDE_IN_FORCE = and_(
    _tw.c.ended_at.is_(None),
    _tw.c.started_at <= _NOW,
    or_(_tw.c.until.is_(None), _tw.c.until > _NOW),
)
"""A tide window counts (rules.tide.in_force; bind now)."""

_own_and_tide = union_all(
    select(_ws.c.service_id, _ws.c.position).where(_ws.c.window_id == bindparam("window_id")),
    select(_ts.c.service_id, (_ts.c.position + TIDE_FIRST).label("position"))
    .join(_tw, _tw.c.id == _ts.c.tide_id)
    .where(_tw.c.window_id == bindparam("window_id"), TIDE_IN_FORCE),
).subquery("own_and_tide")
SERVED = (
    select(_own_and_tide.c.service_id, func.min(_own_and_tide.c.position).label("position"))
    .group_by(_own_and_tide.c.service_id)
    .subquery("served")
)
"""The services the window calls now (bind window_id, now) with their positions: its own from
0, a tide's first (rules.tide.services_with_tide; a service in both takes the tide's place)."""

_PARKED_BACK_HERE = _t.c.back_window_id == bindparam("window_id")
ORDER_RANK = case((_PARKED_BACK_HERE, _t.c.back_rank), else_=RANK)
ORDER_POSITION = case((_PARKED_BACK_HERE, _t.c.back_position), else_=SERVED.c.position)
"""rules.queue_order.queue_key's first two parts: a ticket parked at the back of this window's
queue ranks there as the last one waiting did when it was parked (service positions are the
window's list from 0, as the hall file import writes them; a tide's services come first)."""


_HOLDER_HERE = select(_wsn.c.staff_id).where(
    _wsn.c.window_id == bindparam("window_id"), _wsn.c.ended_at.is_(None)
)


def _callable_here(t: Any) -> Any:
    """rules.queue_order.callable_at: a ticket handed to another window, or to a clerk who does
    not hold this one, is not this window's to call (bind window_id)."""
    return and_(
        or_(t.c.target_window_id.is_(None), t.c.target_window_id == bindparam("window_id")),
        or_(t.c.target_staff_id.is_(None), t.c.target_staff_id.in_(_HOLDER_HERE)),
    )


CALLABLE_HERE = _callable_here(_t)

IS_WAITING_LITERAL: Any = literal_column(f"'{WAITING}'")
"""`status = 'waiting'` written out, not bound: the partial indexes of waiting tickets
(ix_ticket_waiting, ix_ticket_parked_back; migration 0014) serve a query only when its
condition is visibly theirs, to SQLite's planner and to a generic PostgreSQL plan alike."""


def _waiting_in_order(*columns: Any) -> Select[Any]:
    """The window's waiting tickets (bind hall_id, window_id, now) in the fair order, unbounded:
    every waiting ticket of the window's services is read and sorted."""
    return (
        select(*columns)
        .join_from(_t, SERVED, SERVED.c.service_id == _t.c.service_id)
        .where(_t.c.hall_id == bindparam("hall_id"), _t.c.status == WAITING, CALLABLE_HERE)
        .order_by(ORDER_RANK, ORDER_POSITION, _t.c.queue_at, _t.c.id)
        .limit(1)
    )


# --- the bounded claim (issue 14, item 4) ------------------------------------------------------
#
# The fair order's key is (rank, service position, queue time, id), and rank and position are
# computed (an appointment's rank depends on now, a position on the window and its tide), so
# no index gives the order itself. But every ticket the window may call falls in exactly one
# class whose members share rank and position and are ordered by (queue_at, id) alone:
#   - parked at the back of this window: ordered by (back_rank, back_position, queue_at, id);
#   - otherwise one class per (service the window calls, priority), the appointments split
#     into those whose slot has come (their rank) and the rest (normal rank).
# The head of each class is an index seek on ix_ticket_waiting (hall_id, service_id, priority,
# queue_at, id; waiting tickets only) or ix_ticket_parked_back; the fair order's first ticket is
# the first of the heads, ordered by the whole key. The work depends on the number of classes
# (services x 6, plus 1), not on how many wait.
#
# SQLite: every write transaction is BEGIN IMMEDIATE, nobody else claims meanwhile, and one
# head per class is exact. PostgreSQL: another window may hold the head of the best class
# (FOR UPDATE SKIP LOCKED skips it, as it should: that window is calling it), so each class
# offers its first HEADS_PG tickets, and a claim that finds every candidate taken reads the
# whole queue (CLAIM_UNBOUNDED) before it says the queue is empty.

HEADS_PG = 8
"""Tickets each class offers on PostgreSQL: the fair order holds exactly while fewer than
this many windows claim from one class at the same moment (beyond, a window may take the head
of the next class: still called once, one place out of order)."""

_head = _t.alias("head")
# The window's services, read once per statement however many probes use them.
_served_once = select(SERVED.c.service_id, SERVED.c.position).cte("served_once")


_DUE = _head.c.appointment_at <= _NOW


def _classes() -> list[Any]:
    """The condition on `_head` of each priority class (rules.queue_order.PRIORITY_RANK), the
    appointments split by whether their slot has come (bind now). Each priority is written out:
    the planner then knows how many tickets the class holds and reads its index in order."""
    found = []
    for name in queue_order.PRIORITY_RANK:
        same = _head.c.priority == literal_column(f"'{name}'")
        if name == "appointment":
            found.append(and_(same, _DUE))
            found.append(and_(same, or_(_head.c.appointment_at.is_(None), ~_DUE)))
        else:
            found.append(same)
    return found


_HEAD_WAITING = and_(
    _head.c.hall_id == bindparam("hall_id"),
    _head.c.status == IS_WAITING_LITERAL,
    _callable_here(_head),
    or_(_head.c.back_window_id.is_(None), _head.c.back_window_id != bindparam("window_id")),
)


def _class_heads(dialect: str, condition: Any) -> Select[Any]:
    """The first ticket(s) of one priority class of each service the window calls, not parked
    at the back of this window: an index seek on ix_ticket_waiting per service."""
    probe = (
        select(_head.c.id)
        .where(_HEAD_WAITING, _head.c.service_id == _served_once.c.service_id, condition)
        .order_by(_head.c.queue_at, _head.c.id)
    )
    if dialect == "postgresql":
        heads = probe.limit(HEADS_PG).lateral("heads")
        return select(heads.c.id).select_from(_served_once).join(heads, true())
    return select(probe.limit(1).scalar_subquery().label("id")).select_from(_served_once)


def _parked_back_heads(dialect: str) -> Select[Any]:
    """The first ticket(s) parked at the back of this window's queue that it may call."""
    probe = (
        select(_head.c.id)
        .where(
            _head.c.hall_id == bindparam("hall_id"),
            _head.c.status == IS_WAITING_LITERAL,
            _callable_here(_head),
            _head.c.back_window_id == bindparam("window_id"),
            _head.c.service_id.in_(select(_served_once.c.service_id)),
        )
        .order_by(_head.c.back_rank, _head.c.back_position, _head.c.queue_at, _head.c.id)
        .limit(HEADS_PG if dialect == "postgresql" else 1)
        .subquery("parked")
    )
    return select(probe.c.id)


def _bounded_in_order(dialect: str, *columns: Any) -> Select[Any]:
    """The window's waiting tickets in the fair order (bind hall_id, window_id, now), among the
    heads of the classes only, each found by its primary key: on PostgreSQL `id = ANY(ARRAY(
    heads))`, computed once, and the status read again (a row another window called since this
    statement began is passed over when it is locked); on SQLite `id IN (heads)`, nothing else
    (a condition on an indexed column would tempt SQLite to scan that index instead)."""
    heads = union_all(_parked_back_heads(dialect), *(_class_heads(dialect, c) for c in _classes()))
    if dialect == "postgresql":
        chosen = and_(
            _t.c.id == any_(func.array(heads.scalar_subquery())),
            _t.c.status == IS_WAITING_LITERAL,
        )
    else:
        chosen = _t.c.id.in_(heads)
    return (
        select(*columns)
        .join_from(_t, _served_once, _served_once.c.service_id == _t.c.service_id)
        .where(chosen)
        .order_by(
            case((_PARKED_BACK_HERE, _t.c.back_rank), else_=RANK),
            case((_PARKED_BACK_HERE, _t.c.back_position), else_=_served_once.c.position),
            _t.c.queue_at,
            _t.c.id,
        )
        .limit(1)
    )


@cache
def claim(dialect: str) -> Select[Any]:
    """The next ticket for the window, locked (bind hall_id, window_id, now); on PostgreSQL one
    another transaction holds is skipped. None: no ticket waits for the window (SQLite), or
    none of the candidates was free (PostgreSQL: try CLAIM_UNBOUNDED)."""
    return (
        _bounded_in_order(dialect, *ANSWER_COLUMNS)
        .join(_s, _s.c.id == _t.c.service_id)
        .with_for_update(skip_locked=True, of=_t)
    )


@cache
def first_in_line(dialect: str) -> Select[Any]:
    """The first ticket in the window's fair order (bind hall_id, window_id, now)."""
    return _bounded_in_order(dialect, _t.c.id, _t.c.code)


CLAIM_UNBOUNDED = (
    _waiting_in_order(*ANSWER_COLUMNS)
    .join(_s, _s.c.id == _t.c.service_id)
    .with_for_update(skip_locked=True, of=_t)
)
"""The next ticket for the window, locked, read from the whole queue: PostgreSQL's last word
when every candidate of `claim` was being called by another window."""

CALLABLE_AT = select(_t.c.id).where(_t.c.id == bindparam("ticket_id"), CALLABLE_HERE)
"""The ticket (bind ticket_id), if window window_id may call it as far as its target goes."""

SERVES = select(SERVED.c.position).where(SERVED.c.service_id == bindparam("service_id"))
"""Whether the window calls the service now (bind window_id, service_id, now), tide included."""

# --- one ticket -------------------------------------------------------------------------------


def _ticket_answered() -> Select[Any]:
    """A ticket of the hall (bind hall_id) with all its answer needs."""
    return (
        select(
            *ANSWER_COLUMNS,
            _s.c.department_id.label("service_department_id"),
            _w.c.number.label("window_number"),
            _staff.c.staff_no.label("called_by"),
        )
        .join_from(_t, _s, _s.c.id == _t.c.service_id)
        .outerjoin(_w, _w.c.id == _t.c.window_id)
        .outerjoin(_staff, _staff.c.id == _t.c.called_by_id)
        .where(_t.c.hall_id == bindparam("hall_id"))
    )


def _ticket_locked() -> Select[Any]:
    return _ticket_answered().with_for_update(of=_t)


def in_hand_at(window_id: Any) -> Any:
    """The condition of the ticket in a clerk's hand at a window: called or being served there."""
    return and_(_t.c.window_id == window_id, _t.c.status.in_([CALLED, SERVING]))


TICKET_LOCKED = _ticket_locked().where(_t.c.id == bindparam("ticket_id"))
TICKET_BY_CODE_LOCKED = _ticket_locked().where(
    _t.c.code == bindparam("code"), _t.c.local_date == bindparam("day")
)

TICKET_BY_CODE = _ticket_answered().where(
    _t.c.code == bindparam("code"), _t.c.local_date == bindparam("day")
)
"""A service day's tickets with a code (bind hall_id, code, day): one, or two when services
swapped prefixes during the day."""

NO_SHOWS_SINCE = (
    _ticket_answered()
    .where(
        _t.c.window_id == bindparam("window_id"),
        _t.c.status == NO_SHOW,
        _t.c.finished_at > bindparam("since"),
    )
    .order_by(_t.c.finished_at.desc(), _t.c.id.desc())
    .limit(20)
)
"""A window's no-shows marked after `since` (bind hall_id, window_id, since), the latest
first: those the counter may still reinstate."""

IN_HAND = (
    _ticket_answered()
    .where(in_hand_at(bindparam("window_id")))
    .order_by(_t.c.called_at.desc())
    .limit(1)
)
"""The ticket in the hand of whoever holds the window (bind hall_id, window_id), or none."""

_SERVED_HERE = union_all(
    select(_ws.c.service_id).where(_ws.c.window_id == bindparam("window_id")),
    select(_ts.c.service_id)
    .join(_tw, _tw.c.id == _ts.c.tide_id)
    .where(_tw.c.window_id == bindparam("window_id"), TIDE_IN_FORCE),
)
_other_session = _wsn.alias("other_session")
_served_at = union_all(
    select(_ws.c.window_id, _ws.c.service_id),
    select(_tw.c.window_id, _ts.c.service_id)
    .join(_tw, _tw.c.id == _ts.c.tide_id)
    .where(TIDE_IN_FORCE),
).subquery("served_at")
_CALLABLE_AT_ANOTHER_OPEN_WINDOW = (
    select(_other_session.c.window_id)
    .join(_served_at, _served_at.c.window_id == _other_session.c.window_id)
    .where(
        _other_session.c.ended_at.is_(None),
        _other_session.c.window_id != bindparam("window_id"),
        _served_at.c.service_id == _t.c.service_id,
        or_(
            _t.c.target_window_id.is_(None),
            _t.c.target_window_id == _other_session.c.window_id,
        ),
        or_(_t.c.target_staff_id.is_(None), _t.c.target_staff_id == _other_session.c.staff_id),
    )
    .exists()
)
"""Another open window may call the ticket now: it serves the ticket's service, its own or a
tide's in force, and the ticket is not handed to a third window or to a clerk not there."""
LEFTOVERS_LOCKED = (
    _ticket_locked()
    .where(
        _t.c.status == WAITING,
        _t.c.service_id.in_(_SERVED_HERE),
        ~_CALLABLE_AT_ANOTHER_OPEN_WINDOW,
    )
    .order_by(_t.c.queue_at, _t.c.id)
)
"""Waiting tickets of services the window serves (a tide in force counted) that no other open
window may call (bind hall_id, window_id, now), locked: the end-of-day rule's tickets when the
window closes. Another open window serving the service does not take a ticket handed to a third
window or to a clerk not there: that citizen is still left over."""

PINNED_HERE_LOCKED = (
    _ticket_locked()
    .where(
        _t.c.status == WAITING,
        or_(
            _t.c.target_window_id == bindparam("window_id"),
            _t.c.target_staff_id == bindparam("staff_id"),
        ),
    )
    .order_by(_t.c.queue_at, _t.c.id)
)
"""Waiting tickets handed to the window, or to the clerk who holds it (bind hall_id,
window_id, staff_id), locked: they are unpinned when the window closes for the day."""

WINDOW_HOLDER = (
    select(
        _w.c.number,
        _w.c.last_call_at,
        _h.c.min_call_interval_s,
        select(_wsn.c.staff_id)
        .where(_wsn.c.window_id == _w.c.id, _wsn.c.ended_at.is_(None))
        .scalar_subquery()
        .label("holder_id"),
    )
    .join_from(_w, _h, _h.c.id == _w.c.hall_id)
    .where(_w.c.id == bindparam("window_id"))
)
"""A ticket's window: its number, last call, the hall's call interval and who holds it."""

UPDATE_WINDOW = queued(update(_w).where(_w.c.id == bindparam("window_id_")))


def _waiting_for_service_edge(edge: Any) -> Select[Any]:
    return select(edge(_t.c.queue_at)).where(
        _t.c.service_id == bindparam("service_id"),
        _t.c.status == WAITING,
        _t.c.id != bindparam("ticket_id"),
    )


EARLIEST_WAITING = _waiting_for_service_edge(func.min)

LAST_IN_LINE = (
    select(ORDER_RANK, ORDER_POSITION, _t.c.queue_at, _t.c.id)
    .join_from(_t, SERVED, SERVED.c.service_id == _t.c.service_id)
    .where(_t.c.hall_id == bindparam("hall_id"), _t.c.status == WAITING, CALLABLE_HERE)
    .order_by(ORDER_RANK.desc(), ORDER_POSITION.desc(), _t.c.queue_at.desc(), _t.c.id.desc())
    .limit(1)
)
"""The queue key (rules.queue_order.queue_key) of the last one waiting for the window (bind
hall_id, window_id, now): the fair order reversed."""


# --- sent ahead of the token check (PostgreSQL; store.pipeline.send_ahead) -------------------
#
# The first reads of the counter's writes, with the parameters not known before the token is
# checked (the hall, the window's id) found in the statement itself: a write sends them in its
# first wait with the token check. Each is its statement above with those parameters replaced,
# so its rows have the same columns; the work executes the statement above with
# `pipeline.ahead(name)` and gets these rows.

_window_of_token = _w.alias("window_of_token")
_token_window = (
    select(_window_of_token.c.id, _window_of_token.c.hall_id)
    .where(
        _window_of_token.c.hall_id == HALL_OF_TOKEN,
        _window_of_token.c.number == bindparam("number"),
    )
    .cte("token_window")
)
"""Window `number` of the token's hall (bind token_hash, number), read once per statement."""
_TOKEN_WINDOW_ID = select(_token_window.c.id).scalar_subquery()
WINDOW_OF_TOKEN = (
    select(_window_of_token.c.id)
    .where(
        _window_of_token.c.hall_id == HALL_OF_TOKEN,
        _window_of_token.c.number == bindparam("number"),
    )
    .correlate(None)
    .scalar_subquery()
)
"""The id of window `number` of the token's hall (bind token_hash, number)."""
_TOKEN_WINDOW_HALL = select(_token_window.c.hall_id).scalar_subquery()
_ticket_of = _t.alias("ticket_of")
WINDOW_OF_TICKET = (
    select(_ticket_of.c.window_id)
    .where(_ticket_of.c.id == bindparam("ticket_id"))
    .correlate(None)
    .scalar_subquery()
)
"""The window of ticket `ticket_id`: read after the ticket is locked, it is the locked row's."""

SERVICE_BY_CODE_AHEAD = binds_replaced(SERVICE_BY_CODE, hall_id=HALL_OF_TOKEN)
TICKET_LOCKED_AHEAD = binds_replaced(TICKET_LOCKED, hall_id=HALL_OF_TOKEN)
WINDOW_HOLDER_AHEAD = binds_replaced(WINDOW_HOLDER, window_id=WINDOW_OF_TICKET)
CLAIM_AHEAD = binds_replaced(
    claim("postgresql"), hall_id=_TOKEN_WINDOW_HALL, window_id=_TOKEN_WINDOW_ID
).add_cte(_token_window)
