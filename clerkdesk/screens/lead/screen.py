"""The duty lead's screen (值班长): extension requests waiting for a decision, with what deciding
needs (window, clerk, citizens waiting, the minutes they need, time to the window's end), oldest
first; overtime claims and leave requests waiting beside them, each with the requester's
balance (shown while any waits; `a` and `d` decide the highlighted one while that table has the
focus); today's decided requests and overruns; the calendar's unconfirmed years. Beside them
two boards: the department's comp-leave balances (`b`) and its open hand-offs with how long each
has waited (`h`; a ticket handed on too often is also flagged at the top). Below 120 columns a
board takes the place of today's tables (its key again, or Esc, brings them back); from 120
columns on today's two tables sit side by side and the board under them, across the width (the
balances unless the hand-offs were asked for).

Widgets plus two state objects, the lead's desk (clerkdesk.state.lead) and the leave inbox
(clerkdesk.state.lead_leave). One key decides (decisions.py, leave_decisions.py); the server
decides who may decide (never one's own request) and says why not.
The event stream says which part to read again (reads coalesce; all of it on each reconnect);
each decision is sent exactly once through the screen's link (HallLink). Esc goes back to the
lead's counter, or to the picker.
"""

from __future__ import annotations

import contextlib
from typing import ClassVar, TypeVar
from zoneinfo import ZoneInfo

from textual import events
from textual.app import ComposeResult, SystemCommand
from textual.binding import ActiveBinding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.api import schemas as w
from clerkdesk.api.closing import ClosingClient
from clerkdesk.api.errors import ApiError, Forbidden, HallUnreachable, NotFound, Unauthorized
from clerkdesk.api.events import EventSubscription, StreamStatus
from clerkdesk.api.ledger import LedgerClient
from clerkdesk.i18n import _
from clerkdesk.messages import BackFromDutyLead
from clerkdesk.screens.dialogs import Ask
from clerkdesk.screens.hall_link import BACKOFF, HallLink, on_screen
from clerkdesk.screens.lead import decisions, leave_decisions
from clerkdesk.screens.lead.keys import VIEW_ACTIONS, lead_bindings, lead_commands, view_keys
from clerkdesk.screens.type_ahead import keys_may_go
from clerkdesk.state.display import local_time
from clerkdesk.state.handoff import Names
from clerkdesk.state.lead import (
    CALENDAR,
    EVERYTHING,
    EXTENSIONS,
    LEAD_ACTION_NAMES,
    LEAD_ACTIONS,
    OVERRUNS,
    Answer,
    Decision,
    LeadDesk,
    status_parts,
)
from clerkdesk.state.lead_leave import Item, LeaveDecision, LeaveInbox
from clerkdesk.state.lead_views import WIDE, BalanceBoard, HandOffBoard, View, toggled
from clerkdesk.state.ledger_refusals import explain_ledger
from clerkdesk.state.refusals import LeadNow, explain_decision, lead_refusal
from clerkdesk.state.session import Workstation
from clerkdesk.widgets.counter_bars import OfflineBanner, StatusLine
from clerkdesk.widgets.lead_inbox import (
    CalendarWarning,
    DecidedTable,
    InboxTable,
    OverrunTable,
    RequestDetail,
)
from clerkdesk.widgets.lead_leave import LeaveInboxDetail, LeaveInboxTable
from clerkdesk.widgets.lead_views import BalancesTable, FlagWarning, HandOffDetail, HandOffsTable
from clerkdesk.widgets.message_line import MessageLine
from clerkdesk.widgets.textual_compat import replace_bindings

T = TypeVar("T")
Ch = TypeVar("Ch", Decision, LeaveDecision)
LEAVE = "leave"  # claims, leave requests and their requesters' balances
BALANCES, HANDOFFS, NAMES = "balances", "handoffs", "names"  # the boards, the hall's names
ALL_PARTS = (*sorted(EVERYTHING), LEAVE, BALANCES, HANDOFFS, NAMES)
Change = Decision | LeaveDecision
Answered = Answer | Item


class DutyLeadScreen(Screen[None]):
    offers_my_leave: ClassVar[bool] = True  # the app's "My leave" (v) opens over it
    DEFAULT_CSS = """
    DutyLeadScreen DataTable {
        background: $surface;
        border: round $border-blurred;
        border-title-color: $text-muted;
        &:focus { border: round $border; border-title-color: $text-primary; }
    }
    DutyLeadScreen #inbox { height: auto; min-height: 4; max-height: 50%; }
    DutyLeadScreen #decided, DutyLeadScreen #overruns { height: 1fr; min-height: 4; }
    DutyLeadScreen #request-detail, DutyLeadScreen #leave-detail { height: auto; padding: 0 1; }
    DutyLeadScreen #leave-inbox { height: auto; min-height: 4; max-height: 25%; }
    DutyLeadScreen #calendar-warning {
        height: auto; padding: 0 1; color: $text-warning; background: $warning-muted;
    }
    DutyLeadScreen #message { height: 1; padding: 0 1; }
    DutyLeadScreen #lower { height: 1fr; }
    DutyLeadScreen #today, DutyLeadScreen #side { height: 1fr; }
    DutyLeadScreen #balances, DutyLeadScreen #handoffs { height: 1fr; min-height: 4; }
    DutyLeadScreen #handoff-detail { height: auto; max-height: 3; padding: 0 1; }
    DutyLeadScreen #flag-warning {
        height: auto; padding: 0 1; color: $text-warning; background: $warning-muted;
    }
    """

    def __init__(
        self, ws: Workstation, window: int | None, backoff: tuple[float, ...] = BACKOFF
    ) -> None:
        super().__init__()
        back = _("Counter") if window is not None else _("Windows")
        replace_bindings(self, lead_bindings(back))
        self.ws, self.window, self.backoff = ws, window, backoff
        self.desk = LeadDesk(ws.staff_no)
        self.leave = LeaveInbox(ws.staff_no)
        self.link: HallLink[Change, Answered] = HallLink(
            self,
            ws,
            backoff,
            reread=lambda: self.request_refresh(*ALL_PARTS),
            redraw=self._render_link,
            say=self.say,
            deliver=self._deliver,
            delivered=self._delivered,
            explain=self._explain,
        )
        self._offer: tuple[object, ...] = ()
        self._refreshing = False
        self._asking = False  # a decision's dialog is open, or its answer not yet taken
        self._unreadable = False  # the hall refused to read the lists (keys wait for nothing)
        self._wanted: frozenset[str] = frozenset()  # what to read next
        self._sending: Change | None = None  # the decision sent last (its refusal's words)
        self.view = View.today  # what the lower part shows (beside today's, when wide)
        self.balances = BalanceBoard()  # the department's comp-leave balances
        self.handoff_board = HandOffBoard()  # the open hand-offs
        self.names: Names | None = None  # the hall's departments and services, by code

    @property
    def gone(self) -> bool:
        return self.link.gone

    @property
    def closing(self) -> ClosingClient:
        return ClosingClient(self.ws.client)  # the workstation may switch servers

    def palette_commands(self) -> list[SystemCommand]:
        return lead_commands(self)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The keys the footer shows: below 120 columns, while a decision is offered, its keys
        and Esc before the boards' (which still work, and are in the palette): the footer
        has room for few of them."""
        found = super().active_bindings
        deciding = any(b.enabled and b.binding.action in LEAD_ACTION_NAMES for b in found.values())
        if self.wide or not deciding:
            return found
        return {k: b for k, b in found.items() if b.binding.action not in VIEW_ACTIONS}

    def compose(self) -> ComposeResult:
        yield OfflineBanner(id="offline-banner")
        yield CalendarWarning(id="calendar-warning")
        yield FlagWarning(id="flag-warning")
        yield InboxTable(id="inbox")
        yield RequestDetail(id="request-detail")
        yield LeaveInboxTable(id="leave-inbox")
        yield LeaveInboxDetail(id="leave-detail")
        with Vertical(id="lower"):
            with Vertical(id="today"):
                yield DecidedTable(id="decided")
                yield OverrunTable(id="overruns")
            with Vertical(id="side"):
                yield BalancesTable(id="balances")
                yield HandOffsTable(id="handoffs")
                yield HandOffDetail(id="handoff-detail")
        yield MessageLine("", id="message")
        yield StatusLine(id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)
        self._lay_out()
        self.render_desk()
        self.request_refresh(*ALL_PARTS)
        self.run_worker(self._follow(), group="stream", exclusive=True)
        self.query_one(InboxTable).focus()

    def on_unmount(self) -> None:
        self.link.closed = True
        self.app.workers.cancel_node(self)

    # --- what is offered -----------------------------------------------------------------------

    @property
    def is_admin(self) -> bool:
        return self.ws.me is not None and w.Role.admin in self.ws.me.staff.roles

    def request(self) -> w.ExtensionInboxItem | None:
        """The highlighted request of the inbox."""
        chosen = self.query_one(InboxTable).highlighted()
        return next((x for x in self.desk.inbox if x.extension.id == chosen), None)

    def leave_focused(self) -> bool:
        """The claims and leave requests have the focus: `a` and `d` decide there."""
        return isinstance(self.focused, LeaveInboxTable)

    def leave_item(self) -> Item | None:
        """The highlighted claim or leave request."""
        return self.leave.find(self.query_one(LeaveInboxTable).highlighted())

    def overrun(self) -> w.OverrunOut | None:
        """The highlighted overrun, if it waits for a decision."""
        chosen = self.query_one(OverrunTable).highlighted()
        found = next((o for o in self.desk.overruns if o.id == chosen), None)
        return found if found and found.status == w.OverrunStatus.pending else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in LEAD_ACTION_NAMES:
            return True
        if not self.is_mounted or self.gone:
            return False
        if action in ("approve", "approve_minutes", "deny") and self.leave_focused():
            if action == "approve_minutes" or self.leave_item() is None:
                return False
            return self.link.online  # one's own: the hall says why not
        offered, mine = self.desk.offer(action, self.request(), self.overrun(), self.is_admin)
        if not offered:
            return False
        if mine:
            return None  # shown, but off: another lead decides (pressed, it says so)
        return self.link.online  # offline: not offered (pressed, it says why)

    def key_refusal(self, actions: list[str]) -> str:
        request, overrun = self.request(), self.overrun()
        now = LeadNow(
            online=self.link.online,
            request=request is not None,
            requests=len(self.desk.inbox),
            own_request=bool(request and self.desk.is_mine(request)),
            overrun=overrun is not None,
            overruns=sum(o.status == w.OverrunStatus.pending for o in self.desk.overruns),
            own_overrun=bool(overrun and overrun.staff.staff_no == self.me),
            admin=self.is_admin,
            unconfirmed_years=bool(self.desk.unconfirmed_years),
            leave_focused=self.leave_focused(),
            leave_item=self.leave_item() is not None,
            leave_items=len(self.leave.items),
        )
        labels = {a.name: a.label for a in LEAD_ACTIONS}
        return lead_refusal(actions[0], labels.get(actions[0], actions[0]), now)

    def keys_ready(self) -> bool:
        """Keys typed while a decision is on its way (or its dialog's answer, or the first
        read) wait for it; offline they are refused at once, saying so."""
        if not self.link.online or self._unreadable:
            return True
        return self.desk.loaded and self.link.pending is None and not self._asking

    @property
    def me(self) -> str:
        return self.ws.staff_no

    def _update_offer(self) -> None:
        request, overrun = self.request(), self.overrun()
        offer = (
            request.extension.id if request else None,
            overrun.id if overrun else None,
            tuple(self.desk.unconfirmed_years),
            self.link.online,
            self.leave_focused(),
            self.query_one(LeaveInboxTable).highlighted(),
        )
        if offer != self._offer:
            self._offer = offer
            self.refresh_bindings()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if isinstance(event.data_table, InboxTable):
            self._show_detail()
        if isinstance(event.data_table, LeaveInboxTable):
            self._show_leave_detail()
        if isinstance(event.data_table, HandOffsTable):
            self._render_handoffs()
        self._update_offer()

    def on_descendant_focus(self) -> None:
        if self.is_mounted and not self.gone:
            self._show_detail()
            self._show_leave_detail()
            self._update_offer()

    # --- showing -------------------------------------------------------------------------------

    @on_screen
    def say(self, text: str, error: bool = False) -> None:
        self.query_one(MessageLine).say(text, error)

    # --- the boards beside the inbox ------------------------------------------------------------

    @property
    def wide(self) -> bool:
        return self.size.width >= WIDE

    def on_resize(self, _event: events.Resize) -> None:
        if self.is_mounted and not self.gone:
            self._lay_out()
            self.render_desk()

    def _board_shown(self) -> View:
        """The board on screen (today: none)."""
        if self.view != View.today:
            return self.view
        return View.balances if self.wide else View.today

    def _lay_out(self) -> None:
        """Narrow: today's tables, or one board in their place. Wide: today's two tables side
        by side, and the board under them across the whole width (the balances unless the
        hand-offs were asked for)."""
        wide, board = self.wide, self._board_shown()
        self.query_one("#today").display = wide or board == View.today
        self.query_one("#side").display = board != View.today
        self.query_one(BalancesTable).display = board == View.balances
        self.query_one(HandOffsTable).display = board == View.handoffs
        self.query_one("#today").styles.layout = "horizontal" if wide else "vertical"

    def _show_view(self, pressed: View) -> None:
        before = self._board_shown()
        self.view = toggled(self.view, pressed, self.wide)
        self._lay_out()
        self.render_desk()
        shown = self._board_shown()
        if shown != before and shown != View.today:
            table = BalancesTable if shown == View.balances else HandOffsTable
            self.query_one(table).focus()  # the arrows go through the board shown
        elif isinstance(self.focused, (BalancesTable, HandOffsTable)) and not (
            self.focused.display and self.query_one("#side").display
        ):
            self.query_one(InboxTable).focus()

    def action_show_balances(self) -> None:
        self._show_view(View.balances)

    def action_show_handoffs(self) -> None:
        self._show_view(View.handoffs)

    @on_screen
    def _render_boards(self) -> None:
        self.query_one(BalancesTable).show(self.balances, self.names, self.wide)
        self._render_handoffs()

    @on_screen
    def _render_handoffs(self) -> None:
        now, board = self.ws.clock.now(), self.handoff_board
        table = self.query_one(HandOffsTable)
        table.show(board, self.names, now, self.wide)
        shown = self._board_shown() == View.handoffs
        self.query_one(HandOffDetail).show(
            board, table.highlighted(), self.names, self.ws.zone, now, shown
        )
        self.query_one(FlagWarning).show(board, view_keys(self, "show_handoffs"))

    @on_screen
    def render_desk(self) -> None:
        now, zone, desk = self.ws.clock.now(), self.ws.zone, self.desk
        self.query_one(InboxTable).show(desk.inbox, self.me, now, zone)
        self.query_one(DecidedTable).show(desk.decided, zone)
        self.query_one(OverrunTable).show(desk.overruns, zone)
        self.query_one(CalendarWarning).show(desk.unconfirmed_years, self.is_admin)
        self.query_one(LeaveInboxTable).show(self.leave, zone)
        self._render_boards()
        if isinstance(self.focused, InboxTable) and not desk.inbox and self.leave.items:
            self.query_one(LeaveInboxTable).focus()  # nothing to decide above: come here
        self._show_detail()
        self._show_leave_detail()
        self._render_status()
        self._update_offer()
        keys_may_go(self)

    @on_screen
    def _show_detail(self) -> None:
        """The highlighted extension request in full (one detail line at a time: this one
        unless the claims and leave requests have the focus)."""
        item = None if self.leave_focused() else self.request()
        self.query_one(RequestDetail).show(
            item, bool(item and self.desk.is_mine(item)), self.ws.zone
        )

    @on_screen
    def _show_leave_detail(self) -> None:
        item = self.leave_item() if self.leave_focused() else None
        self.query_one(LeaveInboxDetail).show(item, self.leave, self.ws.zone)

    @on_screen
    def _render_status(self) -> None:
        parts = status_parts(self.ws.me, self.link.online)
        clock = local_time(self.ws.clock.now(), self.ws.zone, seconds=True)
        self.query_one(StatusLine).show(parts, clock)

    @on_screen
    def _tick(self) -> None:
        self.query_one(InboxTable).show(self.desk.inbox, self.me, self.ws.clock.now(), self.ws.zone)
        if self._board_shown() == View.handoffs:
            self._render_handoffs()  # how long each has waited goes on
        self.query_one(OfflineBanner).tick()
        self._render_status()

    def _explain(self, error: ApiError, zone: ZoneInfo) -> str:
        """A refusal in the words of what was sent last: a leave decision, or the others."""
        if isinstance(self._sending, LeaveDecision):
            return explain_ledger(error, zone)
        return explain_decision(error, zone)

    @on_screen
    def _render_link(self) -> None:
        self._render_status()
        self.refresh_bindings()
        keys_may_go(self)

    # --- reading -------------------------------------------------------------------------------

    def request_refresh(self, *parts: str) -> None:
        """Read these parts again (extensions, overruns, calendar); reads coalesce."""
        self._wanted |= frozenset(parts)
        if not self._refreshing and not self.gone and not self.link.in_flight:
            self._refreshing = True
            self.run_worker(self._refresh(), group="refresh")

    async def _refresh(self) -> None:
        try:
            while self._wanted and not self.gone:
                wanted, self._wanted = self._wanted, frozenset()
                stamp = self.desk.answers
                for part in (EXTENSIONS, OVERRUNS, CALENDAR, LEAVE, NAMES, BALANCES, HANDOFFS):
                    if part not in wanted:
                        continue
                    try:
                        fresh = await self._read(part, stamp)
                    except HallUnreachable as exc:
                        self._wanted |= wanted
                        self.link.lost(exc.reason)
                        return
                    except ApiError as exc:
                        self._unreadable = True
                        self.link.failed(exc)
                        keys_may_go(self)
                        return
                    self._unreadable = False
                    if fresh:
                        self.render_desk()  # what the desk holds is what the screen shows
                    else:
                        self._wanted |= {part}  # stale: a decision was answered meanwhile
        finally:
            self._refreshing = False

    async def _read_board(self, part: str) -> None:
        if part == BALANCES:
            self.balances.answer = await LedgerClient(self.ws.client).balances()
        elif part == HANDOFFS:
            self.handoff_board.load(await self.ws.client.hand_offs())
        else:
            self.names = Names.of(await self.ws.client.hall())

    async def _read(self, part: str, stamp: int) -> bool:
        if part in (BALANCES, HANDOFFS, NAMES):
            # not this person's to see: the board stays empty, the rest goes on
            with contextlib.suppress(Forbidden, NotFound):
                await self._read_board(part)
            return True
        if part == LEAVE:  # then each requester's balance
            return await self.leave.read(LedgerClient(self.ws.client), self.render_desk)
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
                    if item.connected:
                        self.request_refresh(*ALL_PARTS)  # what happened while not following
                    self.link.heard(item)
                else:
                    parts = self.desk.reads_for(item)
                    if self.leave.reads_for(item):
                        parts |= {LEAVE}
                    if self.balances.reads_for(item):
                        parts |= {BALANCES}
                    if self.handoff_board.reads_for(item):
                        parts |= {HANDOFFS}
                    if item.kind in (w.EventKind.hall_updated, w.EventKind.reset):
                        parts |= {NAMES}
                    if parts:
                        self.request_refresh(*parts)
        except Unauthorized as exc:
            self.link.failed(exc)

    # --- the lead's decisions (HallLink sends each exactly once) -------------------------------

    async def _deliver(self, change: Change) -> Answered:
        self._sending = change
        if isinstance(change, LeaveDecision):
            return await change.send(LedgerClient(self.ws.client), change.key)
        return await change.send(self.closing, change.key)

    def _delivered(self, change: Change, answer: Answered) -> None:
        if isinstance(change, LeaveDecision):
            assert isinstance(answer, (lw.ClaimOut, lw.LeaveRequestOut))
            self.leave.apply(answer)
            self.say(change.done(answer))
        else:
            assert not isinstance(answer, (lw.ClaimOut, lw.LeaveRequestOut))
            self.desk.apply(answer)
            self.say(change.done(answer))
        self.render_desk()
        self.request_refresh(*ALL_PARTS)

    def _ask(self, ask: Ask[T, Ch]) -> None:
        def chosen(answer: T | None) -> None:
            self._asking = False
            decision = ask.then(answer)
            if decision is not None:
                self.link.send_once(decision)
            keys_may_go(self)

        self._asking = True
        self.app.push_screen(ask.dialog, chosen)

    def action_approve(self) -> None:
        if self.leave_focused():
            chosen = self.leave_item()
            if chosen is not None:
                balance = self.leave.balance_of(chosen)
                self._ask(leave_decisions.approve(chosen, balance, self.ws.zone))
            return
        item = self.request()
        if item is not None:
            self.link.send_once(decisions.approve(item, None, self.ws.zone))

    def action_approve_minutes(self) -> None:
        item = self.request()
        if item is not None:
            self._ask(decisions.approve_minutes(item, self.ws.zone))

    def action_deny(self) -> None:
        if self.leave_focused():
            chosen = self.leave_item()
            if chosen is not None:
                self._ask(leave_decisions.deny(chosen, self.ws.zone))
            return
        item = self.request()
        if item is not None:
            self._ask(decisions.deny(item))

    def action_confirm_overrun(self) -> None:
        overrun = self.overrun()
        if overrun is not None:
            self._ask(decisions.decide_overrun(overrun, confirm=True))

    def action_reject_overrun(self) -> None:
        overrun = self.overrun()
        if overrun is not None:
            self._ask(decisions.decide_overrun(overrun, confirm=False))

    def action_confirm_year(self) -> None:
        if self.desk.unconfirmed_years:
            self._ask(decisions.confirm_year(self.desk.unconfirmed_years[0]))

    def action_back(self) -> None:
        if self.view != View.today and not self.wide:  # a board in today's place: back to it
            self._show_view(self.view)
            return
        if self.link.closed or self.link.still_sending():  # closed: Esc pressed twice
            return
        self.link.closed = True
        self.post_message(BackFromDutyLead(self.window))
