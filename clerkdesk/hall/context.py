"""The unit of work behind every request: authenticate, act, remember the answer, commit, wake
the event hub. Reads and writes each run in one transaction, the token check included."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy import Engine, delete, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clerkdesk.clock import Clock
from clerkdesk.hall.auth import Principal, authenticate
from clerkdesk.hall.errors import Conflict
from clerkdesk.hall.event_hub import EventHub
from clerkdesk.hall.models import IdempotentResponse

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")


WRITERS_POSTGRES = 6


class StoredAnswer(Exception):
    """A repeat of an earlier POST: its first answer, to send back unchanged."""

    def __init__(self, status_code: int, body: str) -> None:
        self.status_code = status_code
        self.body = body


def fingerprint(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _hold_key(session: Session, staff_id: int, key: str) -> None:
    """On PostgreSQL a repeat of a request still in flight waits here until the first commits
    (then it replays the first answer) or fails (then it does the work itself). SQLite needs no
    lock: `BEGIN IMMEDIATE` already runs one writer at a time."""
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big", signed=True)
    session.execute(
        text("SELECT pg_advisory_xact_lock(CAST(:staff AS integer), CAST(:key AS integer))"),
        {"staff": staff_id % 2**31, "key": digest},
    )


class HallContext:
    def __init__(self, engine: Engine, clock: Clock, hub: EventHub, version: str) -> None:
        self.engine = engine
        self.version = version
        self.reader = engine.execution_options(clerkdesk_read=True)
        # Few write transactions at a time in this process. The GIL runs one thread at a time
        # anyway; many writers in parallel only trade places on it while holding row locks and
        # the event lock, which stretches every hold (a lock convoy: seconds under load). On
        # SQLite one at a time (BEGIN IMMEDIATE would make the others poll, sleeping up to
        # 100 ms between tries); on PostgreSQL a few, so one's round trips overlap another's
        # Python. Readers are not held up; other server processes still meet in the database.
        self._writers = threading.BoundedSemaphore(
            WRITERS_POSTGRES if engine.dialect.name == "postgresql" else 1
        )
        self.clock = clock
        self.hub = hub

    def session(self, *, write: bool) -> Session:
        return Session(self.engine if write else self.reader, expire_on_commit=False)

    def read(self, token: str, work: Callable[[Session, Principal, datetime], R]) -> R:
        now = self.clock.now()
        with self.session(write=False) as session, session.begin():
            who = authenticate(session, token, now)
            return work(session, who, now)

    def write(
        self,
        token: str,
        key: str,
        print_: str,
        work: Callable[[Session, Principal, datetime], T],
        status_code: int = 200,
    ) -> T:
        """Do `work` once per (staff, Idempotency-Key); a repeat raises StoredAnswer."""
        now = self.clock.now()
        try:
            with self._writers, self.session(write=True) as session, session.begin():
                who = authenticate(session, token, now)
                _hold_key(session, who.staff_id, key)
                self._replay_if_seen(session, who.staff_id, key, print_)
                result = work(session, who, now)
                session.add(
                    IdempotentResponse(
                        staff_id=who.staff_id,
                        key=key,
                        fingerprint=print_,
                        status_code=status_code,
                        body=result.model_dump_json(),
                        created_at=now,
                    )
                )
        except IntegrityError:
            # The same key raced in from a retry on another connection: answer as it did.
            with self.session(write=False) as session, session.begin():
                who = authenticate(session, token, now)
                self._replay_if_seen(session, who.staff_id, key, print_)
            raise
        self.hub.poke()
        return result

    @staticmethod
    def _replay_if_seen(session: Session, staff_id: int, key: str, print_: str) -> None:
        seen = session.get(IdempotentResponse, (staff_id, key))
        if seen is None:
            return
        if seen.fingerprint != print_:
            raise Conflict(
                "idempotency_key_reused",
                "This Idempotency-Key was already used for a different request: "
                "send a new key for a new action.",
            )
        raise StoredAnswer(seen.status_code, seen.body)

    def forget_answers_before(self, moment: datetime) -> int:
        """Housekeeping: drop remembered answers older than `moment` (retries come in seconds)."""
        with self.session(write=True) as session, session.begin():
            result = session.execute(
                delete(IdempotentResponse).where(IdempotentResponse.created_at < moment)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]
