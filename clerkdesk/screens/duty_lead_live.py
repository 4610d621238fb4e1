"""The duty lead screen's live link to the hall: reads, the event stream, offline and back, and
the lead's decisions sent exactly once.

Live: the event stream says when a request, an overrun or the calendar changed (or, while a
request waits, its window's queue), and that part is read again; reads coalesce. Every time
the stream (re)connects everything is read again, so nothing missed while it was down stays
missing. Offline (the stream is down, or a call got no answer): decisions off, a banner with
a countdown, a probe until the hall answers; then a decision cut off by the connection is sent
again with its first Idempotency-Key, so it is taken once.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from clerkdesk.api.closing import ClosingClient
from clerkdesk.api.errors import ApiError, HallUnreachable, Unauthorized
from clerkdesk.api.events import EventSubscription, StreamStatus
from clerkdesk.screens.hall_link import HallLink, on_screen
from clerkdesk.widgets.counter_bars import OfflineBanner
from clerkdesk.workstation.lead_desk import (
    CALENDAR,
    EVERYTHING,
    EXTENSIONS,
    OVERRUNS,
    Answer,
    Decision,
)

if TYPE_CHECKING:
    from clerkdesk.workstation.lead_desk import LeadDesk


class LeadLive(HallLink):
    """The base of DutyLeadScreen, which provides the widgets, `say`, `_failed` and rendering."""

    if TYPE_CHECKING:
        desk: LeadDesk

        def render_desk(self) -> None: ...
        def _render_status(self) -> None: ...
        def _failed(self, error: ApiError) -> None: ...

    _refreshing = False
    _wanted: frozenset[str] = frozenset()  # what to read next

    @property
    def closing(self) -> ClosingClient:
        return ClosingClient(self.ws.client)  # the workstation may switch servers

    @on_screen
    def _link_changed(self) -> None:
        banner = self.query_one(OfflineBanner)
        if self.online:
            banner.hide()
            self.request_refresh(*EVERYTHING)
            self.run_pending()
        else:
            banner.show(self._offline_reason(), self.retry_at)
        self._render_status()
        self.refresh_bindings()

    # --- reading -------------------------------------------------------------------------------

    def request_refresh(self, *parts: str) -> None:
        """Read these parts again (extensions, overruns, calendar); reads coalesce."""
        self._wanted |= frozenset(parts)
        if not self._refreshing and not self.gone and not self.in_flight:
            self._refreshing = True
            self.run_worker(self._refresh(), group="refresh")

    async def _refresh(self) -> None:
        try:
            while self._wanted and not self.gone:
                wanted, self._wanted = self._wanted, frozenset()
                stamp = self.desk.answers
                for part in (EXTENSIONS, OVERRUNS, CALENDAR):
                    if part not in wanted:
                        continue
                    try:
                        fresh = await self._read(part, stamp)
                    except HallUnreachable as exc:
                        self._wanted |= wanted
                        self._lost(exc.reason)
                        return
                    except ApiError as exc:
                        self._failed(exc)
                        return
                    if fresh:
                        self.render_desk()  # what the desk holds is what the screen shows
                    else:
                        self._wanted |= {part}  # stale: a decision was answered meanwhile
        finally:
            self._refreshing = False

    async def _read(self, part: str, stamp: int) -> bool:
        if part == EXTENSIONS:
            return self.desk.load_extensions(await self.closing.extensions(), stamp)
        if part == OVERRUNS:
            return self.desk.load_overruns(await self.closing.overruns(), stamp)
        self.desk.load_calendar(await self.closing.calendar_today())
        return True

    async def _follow(self) -> None:
        events = EventSubscription(self.ws.client, backoff=self.backoff)
        try:
            async for item in events:
                if isinstance(item, StreamStatus):
                    was = self.online
                    self.stream_up = item.connected
                    self.stream_seen = self.stream_seen or item.connected
                    if item.retry_in_s is not None:
                        self.retry_at = time.monotonic() + item.retry_in_s
                    if item.connected:
                        self.request_refresh(*EVERYTHING)  # what happened while not following
                    if was != self.online or not item.connected:
                        self._link_changed()
                else:
                    parts = self.desk.reads_for(item)
                    if parts:
                        self.request_refresh(*parts)
        except Unauthorized as exc:
            self._failed(exc)

    # --- sending the lead's decisions (exactly once: HallLink.send_once) --------------------

    def send(self, decision: Decision) -> None:
        self.send_once(decision)

    async def _deliver(self, decision: Decision) -> Answer:
        return await decision.send(self.closing, decision.key)

    def _refused(self, error: ApiError) -> None:
        self._failed(error)
        self.request_refresh(*EVERYTHING)

    def _delivered(self, decision: Decision, answer: Answer) -> None:
        self.desk.apply(answer)
        self.say(decision.done(answer))
        self.render_desk()
        self.request_refresh(*EVERYTHING)
