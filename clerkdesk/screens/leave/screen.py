"""My leave (调休), for everyone signed in: the balance in hours and minutes and in days, what
expires within 30 days, the ledger with each entry's source in words, the person's leave
requests and coming duties. `a` asks for leave (dates or hours, with a reason), `c` cancels the
highlighted request after a confirm; Esc goes back to where the person was (the screen is pushed
over the counter, the window picker or the duty lead's screen, which stay as they were).

Widgets plus one state object (clerkdesk.state.leave). Every read and change runs in a worker;
the event stream says when to read again (a lead's decision arrives live); each change is sent
exactly once through the screen's link (HallLink): offline, it waits and goes when the hall
answers again. The hall owns every figure and refusal; the screen shows them.
"""

from __future__ import annotations

from datetime import date, timedelta

from textual.app import ComposeResult, SystemCommand
from textual.screen import Screen
from textual.widgets import DataTable, Footer

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.api.errors import ApiError, HallUnreachable, Unauthorized
from clerkdesk.api.events import EventSubscription, StreamStatus
from clerkdesk.api.ledger import LedgerClient
from clerkdesk.i18n import _
from clerkdesk.screens.dialogs import ConfirmDialog
from clerkdesk.screens.hall_link import BACKOFF, HallLink, on_screen
from clerkdesk.screens.leave.dialogs import RequestLeaveDialog
from clerkdesk.screens.leave.keys import LEAVE_ACTION_NAMES, leave_bindings, leave_commands
from clerkdesk.state.display import local_time
from clerkdesk.state.leave import (
    LeaveAsk,
    LeaveChange,
    LedgerLine,
    MyLeave,
    ask_leave,
    cancel_leave,
)
from clerkdesk.state.leave_words import explain_leave, hours_minutes, request_text
from clerkdesk.state.session import Workstation
from clerkdesk.widgets.counter_bars import OfflineBanner, StatusLine
from clerkdesk.widgets.message_line import MessageLine
from clerkdesk.widgets.my_leave import (
    DutiesTable,
    EntryDetail,
    LeaveSummary,
    LedgerTable,
    RequestsTable,
)
from clerkdesk.widgets.textual_compat import replace_bindings


class MyLeaveScreen(Screen[None]):
    DEFAULT_CSS = """
    MyLeaveScreen DataTable {
        background: $surface;
        border: round $border-blurred;
        border-title-color: $text-muted;
        &:focus { border: round $border; border-title-color: $text-primary; }
    }
    MyLeaveScreen #summary { height: auto; padding: 0 1; }
    MyLeaveScreen #summary.expiring { color: $text-warning; }
    MyLeaveScreen #requests { height: auto; min-height: 2; max-height: 30%; }
    MyLeaveScreen #ledger { height: 1fr; min-height: 4; }
    MyLeaveScreen #entry-detail { height: auto; max-height: 2; padding: 0 1; }
    MyLeaveScreen #duties { height: auto; min-height: 2; max-height: 25%; }
    MyLeaveScreen #message { height: auto; max-height: 3; padding: 0 1; }
    """

    def __init__(self, ws: Workstation, back: str, backoff: tuple[float, ...] = BACKOFF) -> None:
        super().__init__()
        replace_bindings(self, leave_bindings(back))
        self.ws, self.backoff = ws, backoff
        self.leave = MyLeave(ws.staff_no)
        self.link: HallLink[LeaveChange, lw.LeaveRequestOut] = HallLink(
            self,
            ws,
            backoff,
            reread=self.request_refresh,
            redraw=self._render_link,
            say=self.say,
            deliver=self._deliver,
            delivered=self._delivered,
            explain=explain_leave,
        )
        self._said_offline = False  # the offline line was said (then, once back, say so)
        self.following = False  # the event stream has answered
        self._refreshing = False
        self._wanted = False  # read again once the read under way ends
        self._lines: list[LedgerLine] = []
        self._offer: tuple[object, ...] = ()

    @property
    def gone(self) -> bool:
        return self.link.gone

    @property
    def ledger(self) -> LedgerClient:
        return LedgerClient(self.ws.client)  # the workstation may switch servers

    def today(self) -> date:
        return self.ws.clock.now().astimezone(self.ws.zone).date()

    def palette_commands(self) -> list[SystemCommand]:
        return leave_commands(self)

    def compose(self) -> ComposeResult:
        yield OfflineBanner(id="offline-banner")
        yield LeaveSummary(id="summary")
        yield RequestsTable(id="requests")
        yield LedgerTable(id="ledger")
        yield EntryDetail(id="entry-detail")
        yield DutiesTable(id="duties")
        yield MessageLine("", id="message")
        yield StatusLine(id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)
        self.render_leave()
        self.request_refresh()
        self.run_worker(self._follow(), group="stream", exclusive=True)
        self.query_one(RequestsTable).focus()

    def on_unmount(self) -> None:
        self.link.closed = True
        self.app.workers.cancel_node(self)

    # --- what is offered -----------------------------------------------------------------------

    def request(self) -> lw.LeaveRequestOut | None:
        """The highlighted leave request."""
        chosen = self.query_one(RequestsTable).highlighted()
        return next((r for r in self.leave.requests if str(r.id) == chosen), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in LEAVE_ACTION_NAMES:
            return True
        if not self.is_mounted or self.gone:
            return False
        if action == "ask":
            offered = self.leave.loaded
        else:
            request = self.request()
            offered = request is not None and self.leave.cancellable(request, self.today())
        if not offered:
            return False
        return True if self.link.online else None  # shown, but off while offline

    def _update_offer(self) -> None:
        request = self.request()
        offer = (
            self.leave.loaded,
            request.id if request else None,
            request.status if request else None,
            self.link.online,
        )
        if offer != self._offer:
            self._offer = offer
            self.refresh_bindings()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if isinstance(event.data_table, LedgerTable):
            self._show_entry()
        self._update_offer()

    # --- showing -------------------------------------------------------------------------------

    @on_screen
    def say(self, text: str, error: bool = False) -> None:
        self.query_one(MessageLine).say(text, error)

    @on_screen
    def render_leave(self) -> None:
        me, zone, balance = self.ws.me, self.ws.zone, self.leave.balance
        who = f"{me.staff.name} {me.staff.staff_no}" if me else ""
        self.query_one(LeaveSummary).show(who, balance)
        self.query_one(RequestsTable).show(self.leave.shown_requests(self.today()))
        self._lines = self.leave.ledger_lines(zone)
        self.query_one(LedgerTable).show(self._lines)
        self.query_one(DutiesTable).show(balance.duties if balance else [], zone)
        self._show_entry()
        self._render_status()
        self._update_offer()

    @on_screen
    def _show_entry(self) -> None:
        chosen = self.query_one(LedgerTable).highlighted()
        self.query_one(EntryDetail).show(next((x for x in self._lines if x.key == chosen), None))

    @on_screen
    def _render_status(self) -> None:
        me = self.ws.me
        parts = [_("My leave")]
        if me is not None:
            parts += [f"{me.staff.name} {me.staff.staff_no}", me.hall_name]
        parts.append(_("online") if self.link.online else _("offline"))
        clock = local_time(self.ws.clock.now(), self.ws.zone, seconds=True)
        self.query_one(StatusLine).show(parts, clock)

    @on_screen
    def _tick(self) -> None:
        self.query_one(OfflineBanner).tick()
        self._render_status()

    @on_screen
    def _render_link(self) -> None:
        """After HallLink's banner and reading again: say once that the figures are as last
        read, and once back, that they are read afresh."""
        if self.link.online:
            if self._said_offline:
                self._said_offline = False
                self.say(_("The hall answers again: your leave is read afresh."))
        else:
            if not self._said_offline:
                self._said_offline = True
                self.say(
                    _(
                        "Offline: the figures are as last read. Asking and cancelling come back "
                        "when the hall answers; nothing you sent is lost."
                    ),
                    error=True,
                )
        self._render_status()
        self.refresh_bindings()

    # --- reading -------------------------------------------------------------------------------

    def request_refresh(self) -> None:
        """Read the leave again; reads coalesce."""
        self._wanted = True
        if not self._refreshing and not self.gone and not self.link.in_flight:
            self._refreshing = True
            self.run_worker(self._refresh(), group="refresh")

    async def _refresh(self) -> None:
        try:
            while self._wanted and not self.gone:
                self._wanted = False
                try:
                    await self._read()
                except HallUnreachable as exc:
                    self._wanted = True
                    self.link.lost(exc.reason)
                    return
                except ApiError as exc:
                    self.link.failed(exc)
                    return
        finally:
            self._refreshing = False

    async def _read(self) -> None:
        stamp, before, was_loaded = self.leave.answers, list(self.leave.requests), self.leave.loaded
        balance = await self.ledger.my_leave()
        requests = await self.ledger.leave_requests()
        self.leave.load_claims(await self.ledger.claims())
        if not self.leave.load(balance, requests, stamp):
            self._wanted = True  # stale: one of the person's changes was answered meanwhile
            return
        news = self.leave.news(before) if was_loaded else []
        if news:
            self.say(news[-1])
        self.render_leave()
        for month in self.leave.months_wanted(self.today()):
            self.leave.load_worked(await self.ledger.overtime(month))
        self.render_leave()

    async def _follow(self) -> None:
        events = EventSubscription(self.ws.client, backoff=self.backoff)
        try:
            async for item in events:
                if isinstance(item, StreamStatus):
                    if item.connected:
                        self.request_refresh()  # what happened while not following
                    self.following = self.following or item.connected
                    self.link.heard(item)
                elif self.leave.reads_for(item):
                    self.request_refresh()
        except Unauthorized as exc:
            self.link.failed(exc)

    # --- the person's changes (HallLink sends each exactly once) -------------------------------

    async def _deliver(self, change: LeaveChange) -> lw.LeaveRequestOut:
        return await change.send(self.ledger, change.key)

    def _delivered(self, change: LeaveChange, answer: lw.LeaveRequestOut) -> None:
        self.leave.apply(answer)
        self.say(change.done(answer))
        self.render_leave()
        self.request_refresh()

    def _send(self, change: LeaveChange) -> None:
        """Send it once; offline, it waits (and says so) until the hall answers."""
        self.link.send_once(change)
        if self.link.pending is change and not self.link.online:
            self.say(
                _("Offline: “{action}” is kept and sent once the hall answers.").format(
                    action=_(change.label)
                ),
                error=True,
            )

    def _first_weekday_after(self, today: date) -> date:
        """The form's first date: the next Monday to Friday (the hall says if it is a rest
        day or a holiday)."""
        day = today + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    def action_ask(self) -> None:
        balance = self.leave.balance
        if balance is None:
            return
        question = _("Ask your duty lead for comp leave. Balance {balance}; a leave day is {day}.")
        if balance.pending_minutes:
            question = _(
                "Ask your duty lead for comp leave. Balance {balance}, of it {pending} asked "
                "for already; a leave day is {day}."
            )
        text = question.format(
            balance=hours_minutes(balance.balance_minutes),
            pending=hours_minutes(balance.pending_minutes),
            day=hours_minutes(balance.minutes_per_day),
        )
        dialog = RequestLeaveDialog(text, self._first_weekday_after(self.today()), self.today)

        def chosen(ask: LeaveAsk | None) -> None:
            if ask is not None:
                self._send(ask_leave(ask))

        self.app.push_screen(dialog, chosen)

    def action_cancel_request(self) -> None:
        request = self.request()
        if request is None or not self.leave.cancellable(request, self.today()):
            return
        if request.status == lw.DecisionStatus.pending:
            question = _("Cancel your request for {leave}? Your duty lead no longer sees it.")
        else:
            question = _(
                "Cancel your approved leave {leave}? Its {time} come back to your balance."
            )
        text = question.format(leave=request_text(request), time=hours_minutes(request.minutes))

        def chosen(yes: bool | None) -> None:
            if yes:
                self._send(cancel_leave(request))

        self.app.push_screen(ConfirmDialog(text, _("Cancel the request"), _("Keep it")), chosen)

    def action_back(self) -> None:
        if self.link.closed or self.link.still_sending():  # closed: Esc pressed twice
            return
        self.link.closed = True
        self.app.pop_screen()
