"""The counter: the ticket at hand, this window's queue, my day, and the clerk's actions.

The screen shows what the server says and sends the clerk's intentions. Every call runs in a
worker; the clock, the waits and the spinner keep moving meanwhile. Live: the event stream
says when something touching this window changed, and the screen reads the counter again
(the server owns the order). Offline: actions off, a banner, and it comes back by itself; an
action cut off by the connection is sent again with its first Idempotency-Key.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingsMap
from textual.command import Provider
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static

from clerkdesk.api import schemas as w
from clerkdesk.api.errors import ApiError, HallUnreachable, Unauthorized
from clerkdesk.api.events import EventSubscription, StreamStatus
from clerkdesk.i18n import N_, _, ngettext
from clerkdesk.messages import SignedOut, TicketPicked, WindowLeft
from clerkdesk.screens.counter_actions import CounterActions
from clerkdesk.screens.counter_keys import CounterCommands, counter_bindings
from clerkdesk.widgets.counter_bars import MyCounts, OfflineBanner, StatusLine
from clerkdesk.widgets.current_ticket import CurrentTicket
from clerkdesk.widgets.queue_table import QueueTable
from clerkdesk.workstation.actions import ACTION_NAMES, Intent, applies
from clerkdesk.workstation.display import local_time
from clerkdesk.workstation.refusals import explain
from clerkdesk.workstation.session import Workstation
from clerkdesk.workstation.state import CounterModel

BACKOFF = (0.5, 1.0, 2.0, 5.0)


class CounterScreen(CounterActions, Screen[None]):
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {CounterCommands}
    DEFAULT_CSS = """
    CounterScreen #top { height: auto; }
    CounterScreen #message { height: 1; padding: 0 1; }
    """

    def __init__(self, ws: Workstation, window: int, backoff: tuple[float, ...] = BACKOFF):
        super().__init__()
        self._bindings = BindingsMap(counter_bindings())
        self.ws = ws
        self.model = CounterModel(window, ws.staff_no)
        self.backoff = backoff
        self.pending: Intent | None = None
        self.in_flight = False
        self.stream_up = True
        self.stream_seen = False  # the event stream has answered at least once
        self.unreachable: str | None = None
        self.retry_at: float | None = None
        self._dirty = self._refreshing = self._following = False
        self._offer: tuple[Any, ...] = ()

    def compose(self) -> ComposeResult:
        yield OfflineBanner(id="offline-banner")
        with Horizontal(id="top"):
            yield CurrentTicket(id="current-ticket")
            yield MyCounts(id="my-counts")
        yield QueueTable(id="queue")
        yield Static("", id="message")
        yield StatusLine(id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(CurrentTicket).border_title = _("Window {n}").format(
            n=self.model.window_number
        )
        self.set_interval(1.0, self._tick)
        self.render_counter()
        self.request_refresh()

    # --- what is offered -----------------------------------------------------------------------

    @property
    def online(self) -> bool:
        return self.stream_up and self.unreachable is None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in ACTION_NAMES:
            return True
        m = self.model
        if not m.loaded or not applies(action, m.status, m.paused, m.held_by_me):
            return False
        return True if self.online else None

    def _update_offer(self) -> None:
        m = self.model
        offer = (m.loaded, m.status, m.paused, m.held_by_me, self.online)
        if offer != self._offer:
            self._offer = offer
            self.refresh_bindings()

    # --- showing -------------------------------------------------------------------------------

    def say(self, text: str, error: bool = False) -> None:
        line = self.query_one("#message", Static)
        line.set_class(error, "refusal")
        line.update(text)

    def _idle_text(self) -> str:
        return _("Paused: resume to call") if self.model.paused else _("No citizen at the counter")

    def render_counter(self) -> None:
        now, zone, m = self.ws.clock.now(), self.ws.zone, self.model
        self.query_one(CurrentTicket).show(m.current, now, zone, self._idle_text())
        queue = self.query_one(QueueTable)
        queue.show(m.queue, now)
        queue.border_title = ngettext(
            "{n} waiting for this window", "{n} waiting for this window", len(m.queue)
        ).format(n=len(m.queue))
        self.query_one(MyCounts).show(m.counts)
        self._render_status()
        self._update_offer()

    def _render_status(self) -> None:
        m, me = self.model, self.ws.me
        parts = [m.window.label if m.window else _("Window {n}").format(n=m.window_number)]
        if me is not None:
            parts.append(f"{me.staff.name} {me.staff.staff_no}")
        if m.paused:
            parts.append(_("paused"))
        if m.loaded and not m.held_by_me:
            parts.append(_("held by {name}").format(name=m.holder_name or "—"))
        parts.append(_("online") if self.online else _("offline"))
        clock = local_time(self.ws.clock.now(), self.ws.zone, seconds=True)
        self.query_one(StatusLine).show(parts, clock)

    def _tick(self) -> None:
        now = self.ws.clock.now()
        self.query_one(CurrentTicket).show(self.model.current, now, self.ws.zone, self._idle_text())
        self.query_one(QueueTable).tick(now)
        self.query_one(OfflineBanner).tick()
        self._render_status()

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

    def _offline_reason(self) -> str:
        return _("the hall service at {server} does not answer").format(server=self.ws.server.label)

    def _failed(self, error: ApiError) -> None:
        if isinstance(error, Unauthorized):
            self.post_message(SignedOut(explain(error, self.ws.zone)))
        else:
            self.say(explain(error, self.ws.zone), error=True)

    # --- reading the counter -------------------------------------------------------------------

    def request_refresh(self) -> None:
        """Read the counter again; reads coalesce, so a burst of events costs one or two."""
        self._dirty = True
        if not self._refreshing:
            self._refreshing = True
            self.run_worker(self._refresh(), group="refresh")

    async def _refresh(self) -> None:
        try:
            while self._dirty:
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
                elif self.model.touches(item):
                    self.request_refresh()
        except Unauthorized as exc:
            self._failed(exc)

    # --- sending the clerk's intentions --------------------------------------------------------

    def send(self, label: str, send: Any, done: Any) -> None:
        if self.pending is not None:
            self.say(
                _("Still sending “{action}”: wait for its answer.").format(
                    action=_(self.pending.label)
                ),
                error=True,
            )
            return
        self.pending = Intent(label, send, done)
        self.run_pending()

    def run_pending(self) -> None:
        if self.pending is not None and not self.in_flight and self.online:
            self.in_flight = True
            self.query_one(StatusLine).busy = True
            self.run_worker(self._perform(self.pending), group="action")

    async def _perform(self, intent: Intent) -> None:
        try:
            answer = await intent.send(self.ws.client, intent.key)
        except HallUnreachable as exc:
            self.say(
                _("“{action}” got no answer: it will be sent again, once.").format(
                    action=_(intent.label)
                ),
                error=True,
            )
            self._lost(exc.reason)
            return
        except ApiError as exc:
            self.pending = None
            self._failed(exc)
            self.request_refresh()
            return
        finally:
            self.in_flight = False
            self.query_one(StatusLine).busy = False
        self.pending = None
        if isinstance(answer, w.TicketOut):
            self.model.apply_ticket(answer)
        else:
            self.model.apply_window(answer)
        self.say(intent.done(answer))
        self.render_counter()
        if intent.label == LEAVE:
            self.post_message(WindowLeft())
            return
        self.request_refresh()

    def _lost(self, reason: str) -> None:
        self.unreachable = reason
        self._link_changed()
        self.run_worker(self._probe(), group="probe", exclusive=True)

    async def _probe(self) -> None:
        """Ask the hall's health until it answers; then everything resumes by itself."""
        for delay in itertools.chain(self.backoff, itertools.repeat(self.backoff[-1])):
            self.retry_at = time.monotonic() + delay
            self.query_one(OfflineBanner).show(self._offline_reason(), self.retry_at)
            await asyncio.sleep(delay)
            try:
                await self.ws.client.health()
            except HallUnreachable as exc:
                self.unreachable = exc.reason
                continue
            except ApiError:
                pass
            self.unreachable = None
            self._link_changed()
            return

    def on_ticket_picked(self, message: TicketPicked) -> None:
        if self.check_action("call_ticket", ()) is True:
            self.action_call_ticket(message.code)


LEAVE = N_("Leave")
