"""Fan-out of the event table to SSE subscribers in this process.

One poller per process reads new rows (id > last seen) into a ring buffer and wakes the
subscribers. It is woken at once by a local commit (`poke`), by PostgreSQL NOTIFY from other
server processes, and otherwise polls the table every `poll_interval` seconds. A subscriber
further behind than the ring reads its catch-up straight from the table.

The ring holds rows as read: plain tuples of ids, strings and a datetime, which Python's cyclic
garbage collector stops tracking. A ring of 20,000 parsed events (pydantic models, dicts) would
be some 150,000 tracked objects, and every full collection would walk them all (about 50 ms on
these machines, for every request waiting meanwhile). Events are parsed when a subscriber takes
them, once each (the newest are kept parsed for the next subscriber).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import threading
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Final

from sqlalchemy import Engine, Text, cast, func, select, text

from clerkdesk.api import schemas as w
from clerkdesk.hall.events.log import CHANGES_HALL, CHANNEL, event_out
from clerkdesk.hall.store import tables

log = logging.getLogger(__name__)
_events = tables.event
RING_SIZE = 20_000
PARSED_KEPT = 2_000
BATCH = 1_000
READ_GAP_S = 0.02  # under load, one read per 20 ms collects the commits of many requests

RawEvent = tuple[int, int, str, datetime, str]
"""An event row as read: id, hall id, kind, at, payload (JSON text)."""
_ID: Final = 0
_HALL: Final = 1
_KIND: Final = 2
_HALL_CHANGES = frozenset(kind.value for kind in CHANGES_HALL)


def _parse(raw: RawEvent) -> w.EventOut:
    event_id, _hall_id, kind, at, payload = raw
    return event_out(event_id, kind, at, json.loads(payload))


class EventHub:
    def __init__(self, engine: Engine, poll_interval: float = 0.5) -> None:
        self._engine = engine
        self._reader = engine.execution_options(clerkdesk_read=True)  # no write lock on SQLite
        self._poll_interval = poll_interval
        self._ring: deque[RawEvent] = deque(maxlen=RING_SIZE)
        self._parsed: OrderedDict[int, w.EventOut] = OrderedDict()
        self._base = 0  # the ring holds every event with id > _base
        self._last = 0
        self._wake = asyncio.Event()
        self._wake_pending = False
        self._changed = asyncio.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._listener: threading.Thread | None = None
        self._stopping = threading.Event()
        self.origin = secrets.token_hex(8)
        """How this hub's process names itself in NOTIFY payloads (see `write_pending`)."""
        self.on_hall_change: Callable[[], None] = lambda: None
        """Called when the hub reads a hall or calendar change (from any process)."""

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._last = self._base = await asyncio.to_thread(self.max_id)
        self._task = asyncio.create_task(self._run(), name="event-hub")
        if self._engine.dialect.name == "postgresql":
            self._listener = threading.Thread(target=self._listen, name="event-listen", daemon=True)
            self._listener.start()

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def poke(self) -> None:
        """A commit in this process wrote events: read them now (thread-safe).

        One wake-up on its way is enough: a commit that finds one pending leaves it at that
        (its events are committed before it looks, and the hub reads after the wake-up runs).
        Waking the event loop from a writer thread was a sixth of a write's time under load
        (py-spy, the thread holding the GIL): every write of a busy hall sent its own."""
        loop = self._loop
        if self._wake_pending or loop is None or loop.is_closed():
            return
        self._wake_pending = True
        try:
            loop.call_soon_threadsafe(self._woken)
        except RuntimeError:  # the loop closed meanwhile (the service stopping)
            self._wake_pending = False

    def _woken(self) -> None:
        self._wake_pending = False
        self._wake.set()

    # --- reading -----------------------------------------------------------------------------

    def max_id(self) -> int:
        with self._reader.connect() as conn:
            value = conn.execute(select(func.max(_events.c.id))).scalar()
            conn.rollback()
        return int(value or 0)

    def _read_after(self, after: int, hall_id: int | None = None) -> list[RawEvent]:
        query = (
            select(
                _events.c.id,
                _events.c.hall_id,
                _events.c.kind,
                _events.c.at,
                cast(_events.c.payload, Text),  # the JSON text: parsed when taken, if ever
            )
            .where(_events.c.id > after)
            .order_by(_events.c.id)
            .limit(BATCH)
        )
        if hall_id is not None:
            query = query.where(_events.c.hall_id == hall_id)
        with self._reader.connect() as conn:
            rows = conn.execute(query).all()
            conn.rollback()
        return [tuple(row) for row in rows]

    def _read_parsed(self, after: int, hall_id: int) -> list[w.EventOut]:
        return [_parse(raw) for raw in self._read_after(after, hall_id)]

    def _event(self, raw: RawEvent) -> w.EventOut:
        """The parsed event, parsed once for all subscribers."""
        found = self._parsed.get(raw[_ID])
        if found is None:
            found = self._parsed[raw[_ID]] = _parse(raw)
            if len(self._parsed) > PARSED_KEPT:
                self._parsed.popitem(last=False)
        return found

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_interval)
            self._wake.clear()
            try:
                while True:
                    batch = await asyncio.to_thread(self._read_after, self._last)
                    if not batch:
                        break
                    self._ring.extend(batch)
                    if any(raw[_KIND] in _HALL_CHANGES for raw in batch):
                        self.on_hall_change()
                    self._last = batch[-1][_ID]
                    if len(self._ring) == self._ring.maxlen:
                        self._base = self._ring[0][_ID] - 1
                    async with self._changed:
                        self._changed.notify_all()
                    if len(batch) < BATCH:
                        break
            except Exception:  # the database may be briefly away; try again next round
                log.exception("event hub could not read new events")
            await asyncio.sleep(READ_GAP_S)

    def _listen(self) -> None:
        """PostgreSQL LISTEN in a thread: another server process committed events."""
        while not self._stopping.is_set():
            try:
                with self._engine.connect() as conn:
                    conn.execute(text(f"LISTEN {CHANNEL}"))
                    conn.commit()
                    raw = conn.connection.driver_connection
                    while not self._stopping.is_set():
                        for note in raw.notifies(timeout=1.0, stop_after=1):  # type: ignore[union-attr]
                            if note.payload != self.origin:  # our commits poke us already
                                self.poke()
            except Exception:
                log.exception("LISTEN connection lost; reconnecting")
                self._stopping.wait(1.0)

    # --- subscribing -------------------------------------------------------------------------

    def _from_ring(self, hall_id: int, after: int) -> list[w.EventOut] | None:
        if after < self._base:
            return None
        # Newest first, stopping at `after`: a subscriber that keeps up looks at the new events
        # only, not at the whole ring, on every wake-up.
        newer: list[RawEvent] = []
        for raw in reversed(self._ring):
            if raw[_ID] <= after:
                break
            if raw[_HALL] == hall_id:
                newer.append(raw)
        newer.reverse()
        return [self._event(raw) for raw in newer]

    @property
    def last_id(self) -> int:
        return self._last

    async def subscribe(self, hall_id: int, after: int) -> AsyncIterator[w.EventOut]:
        """Every event of the hall with id > after, in order, then live ones as they come."""
        cursor = after
        while True:
            batch = self._from_ring(hall_id, cursor)
            if batch is None:
                batch = await asyncio.to_thread(self._read_parsed, cursor, hall_id)
                if not batch:  # nothing of this hall in the gap: jump to what the ring holds
                    cursor = max(cursor, self._base)
                    continue
            for event in batch:
                yield event
                cursor = event.id
            if not batch:
                seen = self._last
                async with self._changed:
                    await self._changed.wait_for(lambda seen=seen: self._last > seen)  # type: ignore[misc]
