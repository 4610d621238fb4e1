"""The hall calendars kept in memory for the kiosk's cutoff check (five queries a ticket else).

A calendar changes only with an event: `calendar.updated` (the admin's calendar commands, a
year confirmed) or `hall.updated` (a hall file import). Such a write through this process
drops the cache right after its commit (`HallContext`); one made elsewhere (another server
process, `clerkdesk admin` on the same database) drops it when this process's event hub reads
the event: at once on PostgreSQL (NOTIFY), within the hub's poll interval on SQLite.

A request reads the generation before its transaction starts and stores what it loaded only if
no drop happened meanwhile, so a calendar read from a snapshot older than a change is never
kept. Only the "yes, issue" answer comes from here: a refusal is always decided on a calendar
read in the request's own transaction.

The hall's shape from its hall file (services, windows and their services, thresholds) changes
only with `hall.updated` too: the hall monitor keeps what it reads of it here (`cached_shape`),
dropped with the calendars.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from clerkdesk.hall.calendar.store import load_calendar
from clerkdesk.hall.rules.calendar import HallCalendar, service_day

SESSION_KEY = "clerkdesk_calendars"
T = TypeVar("T")


class CalendarCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        self._calendars: dict[int, HallCalendar] = {}
        self._shapes: dict[tuple[str, int], Any] = {}

    def view(self) -> CalendarView:
        """For one transaction: take it before the transaction begins."""
        with self._lock:
            return CalendarView(self, self._generation)

    def drop(self) -> None:
        with self._lock:
            self._generation += 1
            self._calendars.clear()
            self._shapes.clear()

    def _get(self, hall_id: int) -> HallCalendar | None:
        with self._lock:
            return self._calendars.get(hall_id)

    def _keep(self, hall_id: int, calendar: HallCalendar, generation: int) -> None:
        with self._lock:
            if generation == self._generation:
                self._calendars[hall_id] = calendar

    def _get_shape(self, key: tuple[str, int]) -> Any:
        with self._lock:
            return self._shapes.get(key)

    def _keep_shape(self, key: tuple[str, int], shape: Any, generation: int) -> None:
        with self._lock:
            if generation == self._generation:
                self._shapes[key] = shape


@dataclass(frozen=True)
class CalendarView:
    cache: CalendarCache
    generation: int

    def calendar(self, session: Session, hall_id: int) -> HallCalendar:
        found = self.cache._get(hall_id)
        if found is None:
            found = load_calendar(session, hall_id)
            self.cache._keep(hall_id, found, self.generation)
        return found

    def shape(self, session: Session, key: tuple[str, int], load: Callable[[Session], T]) -> T:
        found = self.cache._get_shape(key)
        if found is None:
            found = load(session)
            self.cache._keep_shape(key, found, self.generation)
        return found


def cached_shape(session: Session, name: str, hall_id: int, load: Callable[[Session], T]) -> T:
    """What `load` reads of the hall's shape from its hall file (departments, services, windows
    and their services, alert thresholds), kept like the calendar: dropped with it on
    `hall.updated`, the only event that changes them. Read in the session's transaction when
    the session did not come from `HallContext`."""
    view = session.info.get(SESSION_KEY)
    if isinstance(view, CalendarView):
        return view.shape(session, (name, hall_id), load)
    return load(session)


def cached_calendar(session: Session, hall_id: int) -> HallCalendar:
    """The hall's calendar: from the cache when the session came from `HallContext`, read in
    the session's transaction otherwise."""
    view = session.info.get(SESSION_KEY)
    if isinstance(view, CalendarView):
        return view.calendar(session, hall_id)
    return load_calendar(session, hall_id)


def service_day_of(session: Session, hall_id: int, now: datetime) -> date:
    """The hall's service day at `now` (rules.calendar.service_day): what ticket numbers and
    the lead's lists count by, so a night session past midnight stays the day it opened."""
    return service_day(cached_calendar(session, hall_id), now)
