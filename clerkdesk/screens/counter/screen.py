"""The counter: the ticket at hand, this window's queue, my day, and the clerk's actions.

Widgets plus one state object, the counter model (clerkdesk.state.counter). The event stream
says when something touching this window changed, and the counter is read again (the server
owns the order; reads coalesce). The clerk's intentions (intents.py) go through the screen's
link to the hall (HallLink: offline and back, each sent exactly once); the closing time has its
own helper (closing.py). Every call runs in a worker: the clock and waits keep moving.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from textual.app import ComposeResult, SystemCommand
from textual.containers import Horizontal
from textual.screen import Screen

from clerkdesk.api import schemas as w
from clerkdesk.api.errors import ApiError, HallClientError, HallUnreachable, Unauthorized
from clerkdesk.api.events import EventSubscription, StreamStatus
from clerkdesk.i18n import _, ngettext
from clerkdesk.messages import TicketPicked, WindowLeft
from clerkdesk.screens.counter import intents
from clerkdesk.screens.counter.closing import ClosingTime
from clerkdesk.screens.counter.handoffs import HANDOFF_ACTIONS, CounterHandOffs
from clerkdesk.screens.counter.keys import (
    action_keys,
    counter_bindings,
    counter_commands,
    extend_keys,
)
from clerkdesk.screens.dialogs import Ask
from clerkdesk.screens.hall_link import BACKOFF, HallLink, on_screen
from clerkdesk.screens.type_ahead import keys_may_go
from clerkdesk.state.actions import ACTION_NAMES, LEAVE, Answer, Intent, actions_for
from clerkdesk.state.counter import (
    CounterModel,
    lost_window_text,
    status_parts,
    taken_over_by,
    window_title,
)
from clerkdesk.state.display import local_time
from clerkdesk.state.handoff import handoff_refusal
from clerkdesk.state.no_shows import no_show_wait, not_yet_text
from clerkdesk.state.refusals import CounterNow, counter_refusal, explain
from clerkdesk.state.session import Workstation
from clerkdesk.widgets.closing_banner import ClosingBanner
from clerkdesk.widgets.counter_bars import CounterFooter, MyCounts, OfflineBanner, StatusLine
from clerkdesk.widgets.current_ticket import CurrentTicket
from clerkdesk.widgets.message_line import MessageLine
from clerkdesk.widgets.queue_table import QueueTable
from clerkdesk.widgets.textual_compat import replace_bindings

T = TypeVar("T")
LOST_WINDOW = frozenset({"not_your_window", "window_not_visible"})  # the hall's words for it


class CounterScreen(Screen[None]):
    DEFAULT_CSS = """
    CounterScreen #top { height: auto; }
    CounterScreen #message { height: 1; padding: 0 1; }
    """

    def __init__(
        self,
        ws: Workstation,
        window: int,
        backoff: tuple[float, ...] = BACKOFF,
        keymap: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.actions = actions_for(ws.me.staff.roles if ws.me else [])  # this person's
        replace_bindings(self, counter_bindings(self.actions))
        self.ws, self.backoff = ws, backoff
        self.model = CounterModel(window, ws.staff_no)
        self.link: HallLink[Intent, Answer] = HallLink(
            self,
            ws,
            backoff,
            reread=self.request_refresh,
            redraw=self._render_link,
            say=self.say,
            deliver=self._deliver,
            delivered=self._delivered,
            explain=self._explain,
            taken=self._window_refused,
        )
        self.keymap: Mapping[str, str] = keymap or {}
        self.closing = ClosingTime(
            self, ws, self.model, self.link, keys=extend_keys(self.keymap), say=self.say
        )
        self._issue_keys = action_keys("issue_ticket", keymap or {})
        chain_keys = action_keys("show_chain", keymap or {})
        self.handoffs = CounterHandOffs(self, ws, self.model, chain_keys)  # 转办
        self._dirty = self._refreshing = self._following = False
        self._asking = False  # a dialog of the clerk's action is open, or its answer not taken
        self._unreadable = False  # the hall refused to read the counter (keys wait for nothing)
        self._losing = False  # the hall says the window is not the clerk's: finding out who
        self._showing_answer = False  # an action's answer is on its way to the screen
        self._sending: Intent | None = None  # the last intent handed to the hall
        self._offer: tuple[Any, ...] = ()

    def palette_commands(self) -> list[SystemCommand]:
        return counter_commands(self, self.actions)

    @property
    def gone(self) -> bool:
        return self.link.gone

    def compose(self) -> ComposeResult:
        yield OfflineBanner(id="offline-banner")
        yield ClosingBanner(id="closing-banner")
        with Horizontal(id="top"):
            yield CurrentTicket(id="current-ticket")
            yield MyCounts(id="my-counts")
        yield QueueTable(id="queue")
        yield MessageLine("", id="message")
        yield StatusLine(id="status-line")
        yield CounterFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one(CurrentTicket).border_title = window_title(self.model, self.ws.zone)
        self.set_interval(1.0, self._tick)
        self.render_counter()
        self.request_refresh()

    def on_unmount(self) -> None:
        self.link.closed = True
        self.app.workers.cancel_node(self)

    # --- what is offered -----------------------------------------------------------------------

    def now(self) -> CounterNow:
        m = self.model
        return CounterNow(
            loaded=m.loaded,
            online=self.link.online,
            held=m.held_by_me,
            ticket=m.current.code if m.current else "",
            status=m.status,
            paused=m.paused,
            extension_pending=m.closing.pending(),
            keys=lambda name: action_keys(name, self.keymap),
        )

    def refusal(self, action: str) -> str | None:
        """Why the action cannot be done now (None: it can, and the footer offers it)."""
        closing = action == "extend" and self.closing.extend_offered()
        why = counter_refusal(action, self.now(), closing)
        if why is None and action in HANDOFF_ACTIONS and not self.handoffs.offers(action):
            return handoff_refusal(action)
        return why

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in ACTION_NAMES:
            return True
        return self.refusal(action) is None  # off: hidden; pressed anyway, it says why

    def key_refusal(self, actions: list[str]) -> str:
        return next(filter(None, map(self.refusal, actions)), "")

    def keys_ready(self) -> bool:
        """Keys typed while an action is on its way (or its dialog's answer, or the first read)
        wait for it, and are applied in order; offline they are refused at once, saying so."""
        if self._losing or self.link.closed:
            return False  # the window is lost: the keys go with the counter (and say so)
        if not self.link.online or self._unreadable:
            return True
        return self.model.loaded and self.link.pending is None and not self._asking

    def _update_offer(self) -> None:
        m = self.model
        offer = (m.loaded, m.status, m.paused, m.held_by_me, self.link.online)
        if offer != self._offer:
            self._offer = offer
            self.refresh_bindings()

    # --- showing -------------------------------------------------------------------------------

    @on_screen
    def say(self, text: str, error: bool = False) -> None:
        self.query_one(MessageLine).say(text, error)

    def _idle_text(self) -> str:
        if self.model.paused:
            return _("Paused: resume to call")
        issues = any(a.name == "issue_ticket" for a in self.actions)
        if issues and not self.model.queue and self.check_action("issue_ticket", ()):
            return _("Nobody waiting: {keys} issues a ticket").format(keys=self._issue_keys)
        return _("No citizen at the counter")

    @on_screen
    def render_counter(self) -> None:
        now, zone, m = self.ws.clock.now(), self.ws.zone, self.model
        self.query_one(CurrentTicket).border_title = window_title(m, zone)
        self.query_one(CurrentTicket).show(m.current, now, zone, self._idle_text())
        queue = self.query_one(QueueTable)
        queue.zone = zone
        queue.show(m.queue, now)
        queue.border_title = ngettext(
            "{n} waiting for this window", "{n} waiting for this window", len(m.queue)
        ).format(n=len(m.queue))
        self.query_one(MyCounts).show(m.counts)
        self.handoffs.render()
        self._render_status()
        self._update_offer()
        keys_may_go(self)

    @on_screen
    def _render_status(self) -> None:
        parts = status_parts(self.model, self.ws.me, self.link.online)
        clock = local_time(self.ws.clock.now(), self.ws.zone, seconds=True)
        self.query_one(StatusLine).show(parts, clock)

    @on_screen
    def _tick(self) -> None:
        now = self.ws.clock.now()
        self.query_one(CurrentTicket).show(self.model.current, now, self.ws.zone, self._idle_text())
        self.query_one(QueueTable).tick(now)
        self.handoffs.render()
        self.query_one(OfflineBanner).tick()
        self._render_status()
        self.closing.tick()

    def _explain(self, error: ApiError, zone: ZoneInfo) -> str:
        """A refusal in the words of the action it refuses (`Intent.explain`: reinstating, a
        no-show too soon), else the usual words. The intent is the one just sent, once."""
        intent, self._sending = self._sending, None
        own = intent.explain(error, zone) if intent is not None and intent.explain else None
        return own or explain(error, zone)

    @on_screen
    def _render_link(self) -> None:
        self._render_status()
        self._update_offer()
        keys_may_go(self)

    # --- reading the counter -------------------------------------------------------------------

    def request_refresh(self) -> None:
        """Read the counter again; reads coalesce, so a burst of events costs one or two."""
        self.closing.request()  # the closing banner's waiting tickets, while it shows
        self._dirty = True
        # While the clerk's action is in flight, wait for its answer (which reads again): a
        # read now would be dropped as stale, and would slow the answer down. Until the answer
        # is drawn, wait too: its own event comes right behind it, and a read then (the hall
        # answers it in this process) would hold up the frame that shows the answer.
        if (
            not self._refreshing
            and not self.gone
            and not self.link.in_flight
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
                    self.link.lost(exc.reason)
                    return
                except ApiError as exc:
                    self._unreadable = True
                    self.link.failed(exc)
                    keys_may_go(self)
                    return
                self._unreadable = False
                if self.model.load(state, stamp):
                    if not self.model.held_by_me:  # a lead, who may still read it
                        self.lose_window(self.model.window.holder if self.model.window else None)
                        return
                    self.render_counter()
                    if not self._following:
                        self._following = True
                        self.run_worker(self._follow(), group="stream", exclusive=True)
        finally:
            self._refreshing = False

    async def _follow(self) -> None:
        events = EventSubscription(
            self.ws.client, after=self.model.last_event_id, backoff=self.backoff
        )
        try:
            async for item in events:
                if isinstance(item, StreamStatus):
                    if item.connected:
                        self.handoffs.read_sent()  # the cases handed off, to ask back
                    self.link.heard(item)
                else:
                    holder = taken_over_by(item, self.model.window_number, self.ws.staff_no)
                    if holder is not None:
                        self.lose_window(holder)
                        return
                    self.closing.heard(item)
                    self.handoffs.heard(item)
                    if self.model.touches(item):
                        self.request_refresh()
        except Unauthorized as exc:
            self.link.failed(exc)

    # --- the window taken over ------------------------------------------------------------------

    def _window_refused(self, error: ApiError) -> bool:
        """The hall says this window is no longer the clerk's (its event may not have come):
        find out who holds it now, then back to the picker. True: dealt with here."""
        if error.code not in LOST_WINDOW or error.params.get(
            "window", self.model.window_number
        ) != (self.model.window_number):
            return False
        self._losing = True  # keys typed meanwhile wait: they are not for a window lost
        self.run_worker(self._who_holds_it(error), group="lost", exclusive=True)
        return True

    async def _who_holds_it(self, error: ApiError) -> None:
        try:
            windows = await self.ws.client.windows()
        except HallClientError:
            windows = []
        found = next((x for x in windows if x.number == self.model.window_number), None)
        holder = found.holder if found is not None else None
        if holder is not None and holder.staff.staff_no == self.ws.staff_no:
            self._losing = False
            self.say(explain(error, self.ws.zone), error=True)  # still mine: say the refusal
            keys_may_go(self)
            return
        self.lose_window(holder)

    def lose_window(self, holder: w.WindowSessionOut | None) -> None:
        """Someone else holds this window now (or nobody): say who and since when, back to the
        window picker. Nothing more is sent from here."""
        if self.gone:
            return
        self.link.closed = True
        self.post_message(
            WindowLeft(lost_window_text(self.model.window_number, holder, self.ws.zone))
        )

    # --- the hall's answers (HallLink sends each intent exactly once) --------------------------

    async def _deliver(self, intent: Intent) -> Answer:
        self._sending = intent  # its own words for a refusal (`Intent.explain`)
        return await intent.send(self.ws.client, intent.key)

    def _delivered(self, intent: Intent, answer: Answer) -> None:
        self._sending = None
        if isinstance(answer, w.TicketOut):
            self.model.apply_ticket(answer)
        elif isinstance(answer, w.WindowOut):
            self.model.apply_window(answer)
        self.say(intent.done(answer))
        self.render_counter()
        if isinstance(answer, w.WindowClosingOut):
            self.closing.closed(answer, intent.done(answer))
            return
        if intent.label == LEAVE:
            self.link.closed = True
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

    # --- the clerk's actions -------------------------------------------------------------------

    def _ask(self, ask: Ask[T, Intent]) -> None:
        def chosen(answer: T | None) -> None:
            self._asking = False
            intent = ask.then(answer)
            if intent is not None:
                self.link.send_once(intent)
            keys_may_go(self)

        self._asking = True
        self.app.push_screen(ask.dialog, chosen)

    def _ticket(self) -> w.TicketOut:
        assert self.model.current is not None  # the action is offered only with a ticket
        return self.model.current

    def on_ticket_picked(self, message: TicketPicked) -> None:
        why = self.refusal("call_ticket")
        if why is None:
            self.action_call_ticket(message.code)
        else:
            self.say(why, error=True)

    def action_call_next(self) -> None:
        self.link.send_once(intents.call_next(self.model.window_number))

    def action_call_ticket(self, code: str = "") -> None:
        self._ask(intents.call_ticket(self.model.window_number, code))

    def action_recall(self) -> None:
        self.link.send_once(intents.recall(self._ticket()))

    def action_start(self) -> None:
        self.link.send_once(intents.start(self._ticket()))

    def action_complete(self) -> None:
        self.link.send_once(intents.complete(self._ticket()))

    def action_complete_as(self) -> None:
        self._ask(intents.complete_as(self._ticket()))

    def action_no_show(self) -> None:
        """Asks for the reason once the hall's policy allows; before, says what is missing."""
        ticket, now = self._ticket(), self.ws.clock.now()
        wait = no_show_wait(self.model.policy, ticket, now)
        if wait is not None:
            self.say(not_yet_text(ticket.code, wait), error=True)
            return
        self._ask(intents.no_show(ticket, now, self.model.policy))

    def action_reinstate(self) -> None:
        m = self.model
        self._ask(intents.reinstate(m.no_shows, m.policy, self.ws.clock.now(), self.ws.zone))

    def action_issue_ticket(self) -> None:
        self._asking = True  # its dialog comes once the services are read: keys wait for it
        self.run_worker(self._issue(), group="issue", exclusive=True)

    async def _issue(self) -> None:
        """The hall's services (read now: an admin may have changed them), then the dialog."""
        try:
            hall = await self.ws.client.hall()
        except HallClientError as exc:
            self._asking = False
            if isinstance(exc, HallUnreachable):
                self.link.lost(exc.reason)
            elif isinstance(exc, ApiError):
                self.link.failed(exc)
            keys_may_go(self)
            return
        if not self.gone:
            self._ask(intents.issue(intents.service_choices(hall, self.model.window)))

    def action_park(self) -> None:
        self._ask(intents.park(self._ticket()))

    def action_hand_off(self) -> None:
        self.handoffs.ask_hand_off()

    def action_send_back(self) -> None:
        self.handoffs.ask_send_back()

    def action_back_to_me(self) -> None:
        self.handoffs.ask_back()

    def action_show_chain(self) -> None:
        self.handoffs.show_chain()

    def action_pause(self) -> None:
        self.link.send_once(intents.pause(self.model.window_number))

    def action_resume(self) -> None:
        self.link.send_once(intents.resume(self.model.window_number))

    def action_extend(self) -> None:
        self.closing.ask_to_extend()

    def action_leave(self) -> None:
        if not self.model.held_by_me:
            self.app.post_message(WindowLeft())
            return
        closing = self.closing.close_for_the_day()  # at or past the window's end: asked first
        if closing is not None:
            self._ask(closing)
        else:  # before the end: a break, another window
            self.link.send_once(intents.leave(self.model.window_number))
