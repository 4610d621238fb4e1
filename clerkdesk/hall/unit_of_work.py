"""The unit of work behind every request: authenticate, act, remember the answer, commit, wake
the event hub. Reads and writes each run in one transaction, the token check included.

A write costs its own statements plus three: the token check (with the remembered answer for
the Idempotency-Key, and on PostgreSQL the key's lock, in the same statement), the answer stored,
and the commit. All are Core statements: no ORM objects are built for them, and the ORM session
a route's work receives is joined to the same transaction for the work that wants one.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import hashlib
import typing
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, TypeVar

from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    or_,
)
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clerkdesk.clock import Clock
from clerkdesk.hall.access.principal import (
    Principal,
    authenticate,
    principal_from_row,
    principal_query,
    token_digest,
)
from clerkdesk.hall.calendar.cache import SESSION_KEY, CalendarCache
from clerkdesk.hall.errors import Conflict, HallError, NotSignedIn
from clerkdesk.hall.events.hub import EventHub
from clerkdesk.hall.events.log import HALL_CHANGED, PENDING, write_pending
from clerkdesk.hall.rules.ticket_states import IllegalTransition
from clerkdesk.hall.store import pipeline, tables
from clerkdesk.hall.store.write_gate import FairGate

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")


WRITERS_POSTGRES = 6
READERS = 8
"""The hall's reader threads (`read_soon`): reads run side by side (SQLite's WAL readers, and
PostgreSQL connections of the pool), a slow one (the monitor, a long queue) does not hold up
the others' turn."""

ANSWERS_KEPT = timedelta(hours=24)
"""How long a POST's answer is kept for its retries (they come within seconds)."""
ANSWERS_PER_STAFF = 1000
"""The most answers kept per staff member: their newest (a kiosk issues a few hundred a day)."""
PRUNE_EVERY = 100
"""A staff member's answers are pruned (expired ones, and past ANSWERS_PER_STAFF) in the
transaction of every PRUNE_EVERY-th answer this process stores for them: one statement more
now and then, not on every request."""

_answers = tables.idempotent_response
_staff = tables.staff


class StoredAnswer(Exception):
    """A repeat of an earlier POST: its first answer, to send back unchanged."""

    def __init__(self, status_code: int, body: str) -> None:
        self.status_code = status_code
        self.body = body


def _key_lock_id(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big", signed=True)


# The token check and the remembered answer for the Idempotency-Key in one statement.
#
# SQLite: `BEGIN IMMEDIATE` runs one writer at a time, so nothing can store an answer for this
# key between this read and our own.
#
# PostgreSQL: the same statement also tries a transaction lock on (staff, key). Taken (the usual
# case): no copy of this request is in flight. Not taken: a copy is; we wait for the lock, then
# read the answer again (a statement of its own, whose snapshot follows the wait), and replay it,
# or do the work ourselves if the copy failed. One race is left: a copy that commits between
# this statement's snapshot and its lock attempt. Our work then either fails on the stored
# answer's key (IntegrityError) or is refused (a HallError, "ticket in hand"), and either way
# `write_answer` looks for the stored answer once more and replays it.
_SEEN_COLUMNS = (_answers.c.fingerprint, _answers.c.status_code, _answers.c.body)
_SIGNED_IN_AND_SEEN = (
    principal_query()
    .add_columns(*_SEEN_COLUMNS)
    .outerjoin(
        _answers,
        and_(_answers.c.staff_id == _staff.c.id, _answers.c.key == bindparam("key")),
    )
)
_KEY_LOCK = (_staff.c.id, cast(bindparam("key_lock"), Integer))
_SIGNED_IN_SEEN_AND_LOCKED = _SIGNED_IN_AND_SEEN.add_columns(
    func.pg_try_advisory_xact_lock(*_KEY_LOCK).label("key_free")
)
_WAIT_FOR_KEY = core_select(
    func.pg_advisory_xact_lock(bindparam("staff_id", type_=Integer), _KEY_LOCK[1])
)
_SEEN = core_select(*_SEEN_COLUMNS).where(
    _answers.c.staff_id == bindparam("staff_id"), _answers.c.key == bindparam("key")
)
_REMEMBER = pipeline.queued(insert(_answers))
_PRUNE = pipeline.queued(delete(_answers)).where(
    _answers.c.staff_id == bindparam("staff_id"),
    or_(
        _answers.c.created_at < bindparam("expired"),
        _answers.c.key.in_(
            core_select(_answers.c.key)
            .where(_answers.c.staff_id == bindparam("staff_id"))
            .order_by(_answers.c.created_at.desc(), _answers.c.key.desc())
            .offset(bindparam("keep"))
        ),
    ),
)
"""A staff member's answers older than ANSWERS_KEPT or beyond their newest ANSWERS_PER_STAFF."""


_SIGNED_IN_NAME = "signed_in"
_AS_SIGNED_IN = pipeline.ahead(_SIGNED_IN_NAME)


class _CopyInFlight(Exception):
    """A copy of this request holds its key's lock: do the write again, without reads ahead."""


class Written:
    """What a write produced: the wire model, and its JSON as stored for replays."""

    __slots__ = ("body", "result", "status_code")

    def __init__(self, result: BaseModel, body: str, status_code: int) -> None:
        self.result = result
        self.body = body
        self.status_code = status_code

    def response(self) -> Response:
        """The answer as sent, without FastAPI validating and serialising the model again."""
        return Response(self.body, status_code=self.status_code, media_type="application/json")


class HallContext:
    def __init__(self, engine: Engine, clock: Clock, hub: EventHub, version: str) -> None:
        self.engine = engine
        self.version = version
        self.reader = engine.execution_options(clerkdesk_read=True)
        self.postgres = engine.dialect.name == "postgresql"
        # Few write transactions at a time in this process. The GIL runs one thread at a time
        # anyway; many writers in parallel only trade places on it while holding row locks and
        # the event lock, which stretches every hold (a lock convoy: seconds under load). On
        # SQLite one at a time (BEGIN IMMEDIATE would make the others poll, sleeping up to
        # 100 ms between tries); on PostgreSQL a few, so one's round trips overlap another's
        # Python. Readers are not held up; other server processes still meet in the database.
        writers = WRITERS_POSTGRES if self.postgres else 1
        self._writers = FairGate(writers)
        self._write_threads = ThreadPoolExecutor(writers, thread_name_prefix="hall-writer")
        self._read_threads = _readers()
        self.clock = clock
        self.hub = hub
        self.calendars = CalendarCache()
        hub.on_hall_change = self.calendars.drop
        self.answers_kept = ANSWERS_KEPT
        self.answers_per_staff = ANSWERS_PER_STAFF
        self.prune_every = PRUNE_EVERY
        self._stored_since_prune: collections.Counter[int] = collections.Counter()

    def session(self, *, write: bool) -> Session:
        return Session(
            self.engine if write else self.reader,
            expire_on_commit=False,
            info={SESSION_KEY: self.calendars.view()},
        )

    @contextlib.contextmanager
    def _unit(self, *, write: bool) -> Iterator[tuple[Connection, Session]]:
        """One transaction on a connection of our own, and an ORM session joined to it for the
        work that wants one. The hot paths use the connection alone: the session then costs
        its construction and nothing else (no session transaction, no flush)."""
        calendars = self.calendars.view()  # before the transaction: see calendar_cache
        bind = self.engine if write else self.reader
        events: list[dict[str, Any]] = []
        # PostgreSQL writes: what returns nothing is queued, the last of it sent with the COMMIT
        # (store.pipeline): the tail of a write is one round trip.
        one_trip = pipeline.one_trip if write and self.postgres else _no_pipeline
        with (
            bind.connect() as conn,
            conn.begin(),
            Session(
                bind=conn,
                expire_on_commit=False,
                info={SESSION_KEY: calendars, tables.CONNECTION: conn, PENDING: events},
            ) as orm,
            one_trip(conn),
        ):
            yield conn, orm
            orm.flush()  # ORM changes into the transaction; the commit is the connection's
            write_pending(conn, events, self.hub.origin)  # last: see event_log
        if orm.info.get(HALL_CHANGED):  # committed: calendars read before it must go
            self.calendars.drop()

    @contextlib.contextmanager
    def read_session(self) -> Iterator[Session]:
        """One read transaction for a job of the hall's own (no token: not a request)."""
        with self._unit(write=False) as (_conn, session):
            yield session

    @contextlib.contextmanager
    def write_session(self) -> Iterator[Session]:
        """One write transaction for a job of the hall's own (no token, no Idempotency-Key),
        taking its turn with the requests' writers; committed on a clean exit."""
        with self._writers, self._unit(write=True) as (_conn, session):
            yield session

    def read(self, token: str, work: Callable[[Session, Principal, datetime], R]) -> R:
        now = self.clock.now()
        with self._unit(write=False) as (conn, session):
            who = authenticate(conn, token, now)
            return work(session, who, now)

    async def read_soon(
        self, token: str, work: Callable[[Session, Principal, datetime], BaseModel]
    ) -> Response:
        """`read` from an `async def` route, on the hall's own reader threads, and the answer's
        JSON made there: what a plain `def` route cost on top (issue 14, item 3) was two trips
        through the general thread pool (the route, then FastAPI validating the answer against
        its `response_model` again) and the validation itself. The route keeps its
        `response_model` for the API's description; `work` returns that very model."""
        loop = asyncio.get_running_loop()
        body = await loop.run_in_executor(self._read_threads, self._read_json, token, work)
        return Response(body, media_type="application/json")

    def wait_for_readers(self) -> None:
        """At the service's stop: the reads still running end and give their connections back
        (before the engine is disposed; see `create_app`'s lifespan). A new pool is left in its
        place, should the app be started again."""
        done, self._read_threads = self._read_threads, _readers()
        done.shutdown(wait=True)

    def _read_json(
        self, token: str, work: Callable[[Session, Principal, datetime], BaseModel]
    ) -> str:
        return self.read(token, work).model_dump_json()

    def write(
        self,
        token: str,
        key: str,
        print_: str,
        work: Callable[[Session, Principal, datetime], T],
        status_code: int = 200,
    ) -> T:
        """Do `work` once per (staff, Idempotency-Key); a repeat raises StoredAnswer."""
        return typing.cast(T, self.write_answer(token, key, print_, work, status_code).result)

    async def write_soon(
        self,
        token: str,
        key: str,
        print_: str,
        work: Callable[[Session, Principal, datetime], BaseModel],
        status_code: int = 200,
        ahead: pipeline.Ahead | None = None,
    ) -> Response:
        """`write_answer` from an `async def` route, on the hall's own writer threads, and the
        answer as sent. Cheaper than a plain `def` route's trip through the general thread pool
        (a `queue.Queue` and a condition per request, contended under load), and in arrival
        order: one writer thread on SQLite, `WRITERS_POSTGRES` on PostgreSQL. `ahead`: the
        work's first reads, sent with the token check on PostgreSQL (`write_answer`)."""
        loop = asyncio.get_running_loop()
        job = functools.partial(self.write_answer, token, key, print_, work, status_code, ahead)
        written = await loop.run_in_executor(self._write_threads, job)
        return written.response()

    def write_answer(
        self,
        token: str,
        key: str,
        print_: str,
        work: Callable[[Session, Principal, datetime], BaseModel],
        status_code: int = 200,
        ahead: pipeline.Ahead | None = None,
    ) -> Written:
        """`write`, keeping the JSON answer: a route returns `.response()` to send it as is.

        `ahead` (PostgreSQL): the work's first reads, whose parameters the route knows (the
        hall and the window's id found through the token), sent with the token check in one
        wait (`store.pipeline.send_ahead`); the work's reads of the same names take their rows.
        When a copy of the request is in flight (see _SIGNED_IN_AND_SEEN), the transaction is
        rolled back, and done again without reads ahead: waiting for the copy while holding
        the locks the reads took could deadlock with it."""
        if ahead and self.postgres:
            try:
                return self._write_answer(token, key, print_, work, status_code, ahead)
            except _CopyInFlight:
                pass
        return self._write_answer(token, key, print_, work, status_code, None)

    def _write_answer(
        self,
        token: str,
        key: str,
        print_: str,
        work: Callable[[Session, Principal, datetime], BaseModel],
        status_code: int,
        ahead: pipeline.Ahead | None,
    ) -> Written:
        now = self.clock.now()
        try:
            with self._writers, self._unit(write=True) as (conn, session):
                who = self._signed_in_first_time(conn, token, now, key, print_, ahead)
                result = work(session, who, now)
                body = result.model_dump_json()
                conn.execute(
                    _REMEMBER,
                    {
                        "staff_id": who.staff_id,
                        "key": key,
                        "fingerprint": print_,
                        "status_code": status_code,
                        "body": body,
                        "created_at": now,
                    },
                )
                self._prune_answers_if_due(conn, who.staff_id, now)
        except IntegrityError:
            # The same key raced in from a retry on another connection: answer as it did.
            self._replay_if_answered(token, key, print_, now)
            raise
        except (HallError, IllegalTransition) as refusal:
            # On PostgreSQL perhaps refused because a copy just did it: see _SIGNED_IN_...
            if self.postgres and not isinstance(refusal, NotSignedIn):
                self._replay_if_answered(token, key, print_, now)
            raise
        self.hub.poke()
        return Written(result, body, status_code)

    def _prune_answers_if_due(self, conn: Connection, staff_id: int, now: datetime) -> None:
        """Bound the answers kept for `staff_id` (see PRUNE_EVERY): a clerk sending thousands
        of keys a minute keeps the newest `answers_per_staff`, and none past ANSWERS_KEPT."""
        self._stored_since_prune[staff_id] += 1
        if self._stored_since_prune[staff_id] < self.prune_every:
            return
        self._stored_since_prune[staff_id] = 0
        conn.execute(
            _PRUNE,
            {
                "staff_id": staff_id,
                "keep": self.answers_per_staff,
                "expired": now - self.answers_kept,
            },
        )

    def _signed_in_first_time(
        self,
        conn: Connection,
        token: str,
        now: datetime,
        key: str,
        print_: str,
        ahead: pipeline.Ahead | None = None,
    ) -> Principal:
        """Who is writing, provided this is the first time of this key (StoredAnswer else).
        On PostgreSQL the reads `ahead` go in the same wait (`write_answer`)."""
        digest = token_digest(token)
        if not self.postgres:
            row = conn.execute(_SIGNED_IN_AND_SEEN, {"token_hash": digest, "key": key}).first()
            who = principal_from_row(row, now)
            assert row is not None
            _check_seen(row._mapping, print_)
            return who
        lock = _key_lock_id(key)
        signed_in = {"token_hash": digest, "key": key, "key_lock": lock}
        if ahead:
            pipeline.send_ahead(conn, _SIGNED_IN_NAME, _SIGNED_IN_SEEN_AND_LOCKED, signed_in)
            for name, statement, parameters in ahead:
                known = {"token_hash": digest, "now": now, **parameters}
                pipeline.send_ahead(conn, name, statement, known)
        row = conn.execute(
            _SIGNED_IN_SEEN_AND_LOCKED, signed_in, execution_options=_AS_SIGNED_IN
        ).first()
        who = principal_from_row(row, now)
        assert row is not None
        _check_seen(row._mapping, print_)
        if not row.key_free and ahead:
            raise _CopyInFlight  # wait for it, but not holding what the reads ahead locked
        if not row.key_free:  # a copy of this request is in flight: wait for it to end
            conn.execute(_WAIT_FOR_KEY, {"staff_id": who.staff_id, "key_lock": lock})
            self._replay_if_seen(conn, who.staff_id, key, print_)
        return who

    def _replay_if_answered(self, token: str, key: str, print_: str, now: datetime) -> None:
        """In a transaction of its own: raise StoredAnswer if the key has an answer now."""
        with self._unit(write=False) as (conn, _session):
            who = authenticate(conn, token, now)
            self._replay_if_seen(conn, who.staff_id, key, print_)

    @staticmethod
    def _replay_if_seen(conn: Connection, staff_id: int, key: str, print_: str) -> None:
        row = conn.execute(_SEEN, {"staff_id": staff_id, "key": key}).first()
        if row is not None:
            _check_seen(row._mapping, print_)

    def forget_answers_before(self, moment: datetime) -> int:
        """Housekeeping: drop remembered answers older than `moment` (retries come in seconds)."""
        with self.engine.begin() as conn:
            result = conn.execute(delete(_answers).where(_answers.c.created_at < moment))
            return int(result.rowcount or 0)


def _readers() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(READERS, thread_name_prefix="hall-reader")


@contextlib.contextmanager
def _no_pipeline(_conn: Connection) -> Iterator[None]:
    yield


def _check_seen(seen: Any, print_: str) -> None:
    """Nothing stored for the key (a LEFT JOIN's NULLs): go on. Else replay or refuse."""
    if seen["fingerprint"] is None:
        return
    if seen["fingerprint"] != print_:
        raise Conflict(
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different request: "
            "send a new key for a new action.",
        )
    raise StoredAnswer(seen["status_code"], seen["body"])
