"""The counter: the ticket at hand, this window's queue, my day, and the clerk's actions.

The screen shows what the server says and sends the clerk's intentions (CounterActions, one
method per action; CounterLive, the link to the hall). Every call runs in a worker; the clock,
the waits and the spinner keep moving meanwhile.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult, SystemCommand
from textual.binding import BindingsMap
from textual.containers import Horizontal
from textual.widgets import Static

from clerkdesk.api.errors import ApiError, Unauthorized
from clerkdesk.i18n import _, ngettext
from clerkdesk.messages import SignedOut, TicketPicked
from clerkdesk.screens.counter_actions import CounterActions
from clerkdesk.screens.counter_closing import CounterClosing
from clerkdesk.screens.counter_keys import counter_bindings, counter_commands
from clerkdesk.screens.hall_link import on_screen
from clerkdesk.widgets.closing_banner import ClosingBanner
from clerkdesk.widgets.counter_bars import CounterFooter, MyCounts, OfflineBanner, StatusLine
from clerkdesk.widgets.current_ticket import CurrentTicket
from clerkdesk.widgets.queue_table import QueueTable
from clerkdesk.workstation.actions import ACTION_NAMES, Intent, applies
from clerkdesk.workstation.display import local_time
from clerkdesk.workstation.refusals import explain
from clerkdesk.workstation.session import Workstation
from clerkdesk.workstation.state import CounterModel

BACKOFF = (0.5, 1.0, 2.0, 5.0)


class CounterScreen(CounterClosing, CounterActions):
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
        self.closed = False  # left or unmounted: late answers change nothing on screen

    def palette_commands(self) -> list[SystemCommand]:
        return counter_commands(self)

    def compose(self) -> ComposeResult:
        yield OfflineBanner(id="offline-banner")
        yield ClosingBanner(id="closing-banner")
        with Horizontal(id="top"):
            yield CurrentTicket(id="current-ticket")
            yield MyCounts(id="my-counts")
        yield QueueTable(id="queue")
        yield Static("", id="message")
        yield StatusLine(id="status-line")
        yield CounterFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one(CurrentTicket).border_title = _("Window {n}").format(
            n=self.model.window_number
        )
        self.set_interval(1.0, self._tick)
        self.render_counter()
        self.request_refresh()

    # --- what is offered -----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in ACTION_NAMES:
            return True
        m = self.model
        closing = action == "extend" and self.extend_offered()
        if not m.loaded or not applies(action, m.status, m.paused, m.held_by_me, closing):
            return False
        return True if self.online else None

    def _update_offer(self) -> None:
        m = self.model
        offer = (m.loaded, m.status, m.paused, m.held_by_me, self.online)
        if offer != self._offer:
            self._offer = offer
            self.refresh_bindings()

    # --- showing -------------------------------------------------------------------------------

    def on_unmount(self) -> None:
        self.closed = True
        self.app.workers.cancel_node(self)

    @on_screen
    def say(self, text: str, error: bool = False) -> None:
        line = self.query_one("#message", Static)
        line.set_class(error, "refusal")
        line.update(text, layout=False)  # one line, always: no screen layout

    def _idle_text(self) -> str:
        return _("Paused: resume to call") if self.model.paused else _("No citizen at the counter")

    @on_screen
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

    @on_screen
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

    @on_screen
    def _tick(self) -> None:
        now = self.ws.clock.now()
        self.query_one(CurrentTicket).show(self.model.current, now, self.ws.zone, self._idle_text())
        self.query_one(QueueTable).tick(now)
        self.query_one(OfflineBanner).tick()
        self._render_status()
        self.closing_tick()

    def _failed(self, error: ApiError) -> None:
        if self.gone:
            return
        if isinstance(error, Unauthorized):
            self.post_message(SignedOut(explain(error, self.ws.zone)))
        else:
            self.say(explain(error, self.ws.zone), error=True)

    def on_ticket_picked(self, message: TicketPicked) -> None:
        if self.check_action("call_ticket", ()) is True:
            self.action_call_ticket(message.code)
