"""The counter's live link to the hall: reads, the event stream, offline and back, and the
clerk's intentions sent exactly once.

Live: the event stream says when something touching this window changed, and the counter is
read again (the server owns the order); reads coalesce. Offline (the stream is down, or a call
got no answer): actions off, a banner with a countdown, and a probe until the hall answers;
then the state is read again and an action cut off by the connection is sent again with its
first Idempotency-Key, so it happens once.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from clerkdesk.api import schemas as w
from clerkdesk.api.errors import ApiError, HallUnreachable, Unauthorized
from clerkdesk.api.events import EventSubscription, StreamStatus
from clerkdesk.i18n import _
from clerkdesk.messages import WindowLeft
from clerkdesk.screens.hall_link import HallLink, on_screen
from clerkdesk.widgets.counter_bars import OfflineBanner
from clerkdesk.workstation.actions import LEAVE, Answer, Done, Intent, Send
from clerkdesk.workstation.display import local_time

if TYPE_CHECKING:
    from clerkdesk.workstation.state import CounterModel


class CounterLive(HallLink):
    """The base of CounterScreen, which provides the widgets, `say`, `_failed` and rendering."""

    if TYPE_CHECKING:
        model: CounterModel
        _dirty: bool
        _refreshing: bool
        _following: bool

        def render_counter(self) -> None: ...
        def _render_status(self) -> None: ...
        def _update_offer(self) -> None: ...
        def _failed(self, error: ApiError) -> None: ...
        def request_closing(self, force: bool = False) -> None: ...
        def closing_heard(self, event: w.EventOut) -> None: ...

    _showing_answer = False  # an action's answer is on its way to the screen

    @on_screen
    def _link_changed(self) -> None:
        banner = self.query_one(OfflineBanner)
        if self.online:
            banner.hide()
            self.request_refresh()
            self.run_pending()
        else:
            banner.show(self._offline_reason(), self.retry_at)
        self._render_status()
        self._update_offer()

    # --- reading the counter -------------------------------------------------------------------

    def request_refresh(self) -> None:
        """Read the counter again; reads coalesce, so a burst of events costs one or two."""
        self.request_closing()  # the closing banner's waiting tickets, while it shows
        self._dirty = True
        # While the clerk's action is in flight, wait for its answer (which reads again): a
        # read now would be dropped as stale, and would slow the answer down. Until the answer
        # is drawn, wait too: its own event comes right behind it, and a read then (the hall
        # answers it in this process) would hold up the frame that shows the answer.
        if (
            not self._refreshing
            and not self.gone
            and not self.in_flight
            and not self._showing_answer
        ):
            self._refreshing = True
            self.run_worker(self._refresh(), group="refresh")

    async def _refresh(self) -> None:
        try:
            while self._dirty and not self.gone:
                self._dirty = False
                stamp = self.model.answers
                try:
                    state = await self.ws.client.counter(self.model.window_number)
                except HallUnreachable as exc:
                    self._lost(exc.reason)
                    return
                except ApiError as exc:
                    self._failed(exc)
                    return
                if self.model.load(state, stamp):
                    self.render_counter()
                    if not self.model.held_by_me:
                        self.say(self._lost_window_text(), error=True)
                    if not self._following:
                        self._following = True
                        self.run_worker(self._follow(), group="stream", exclusive=True)
        finally:
            self._refreshing = False

    def _lost_window_text(self) -> str:
        holder = self.model.window.holder if self.model.window else None
        if holder is None:
            return _("You are no longer signed in here: press L to pick a window.")
        return _("{name} took over this window at {time}: press L to pick a window.").format(
            name=holder.staff.name, time=local_time(holder.started_at, self.ws.zone)
        )

    async def _follow(self) -> None:
        events = EventSubscription(
            self.ws.client, after=self.model.last_event_id, backoff=self.backoff
        )
        try:
            async for item in events:
                if isinstance(item, StreamStatus):
                    was = self.online
                    self.stream_up = item.connected
                    self.stream_seen = self.stream_seen or item.connected
                    if item.retry_in_s is not None:
                        self.retry_at = time.monotonic() + item.retry_in_s
                    if was != self.online or not item.connected:
                        self._link_changed()
                else:
                    self.closing_heard(item)
                    if self.model.touches(item):
                        self.request_refresh()
        except Unauthorized as exc:
            self._failed(exc)

    # --- sending the clerk's intentions (exactly once: HallLink.send_once) ------------------

    def send(self, label: str, send: Send, done: Done) -> None:
        self.send_once(Intent(label, send, done))

    async def _deliver(self, intent: Intent) -> Answer:
        return await intent.send(self.ws.client, intent.key)

    def _refused(self, error: ApiError) -> None:
        self._failed(error)
        self.request_refresh()

    def _delivered(self, intent: Intent, answer: Answer) -> None:
        if isinstance(answer, w.TicketOut):
            self.model.apply_ticket(answer)
        elif isinstance(answer, w.WindowOut):
            self.model.apply_window(answer)
        self.say(intent.done(answer))
        self.render_counter()
        if intent.label == LEAVE:
            self.closed = True
            self.post_message(WindowLeft())
            return
        # Read again once the answer is on screen (a read competes with drawing it): a read
        # begun before this answer is dropped as stale, and the answer's own event may have
        # arrived, and been read, before the answer itself.
        self._showing_answer = True
        self.call_after_refresh(self._answer_shown)

    def _answer_shown(self) -> None:
        self._showing_answer = False
        self.request_refresh()
