"""The duty lead's screen (值班长): extension requests waiting for a decision, with what deciding
needs (window, clerk, citizens waiting, the minutes they need, time to the window's end), oldest
first; today's decided requests and overruns; the calendar's unconfirmed years.

One key decides: a approves as asked, m approves other minutes, d denies (with the reason the
clerk will read); c and r confirm or reject an overrun. The server decides who may decide (never
one's own request) and says why not. Esc goes back to the lead's counter, or to the picker.
"""

from __future__ import annotations

from textual.app import ComposeResult, SystemCommand
from textual.binding import BindingsMap
from textual.widgets import DataTable, Footer, Static

from clerkdesk.api import schemas as w
from clerkdesk.api.errors import ApiError, Unauthorized
from clerkdesk.i18n import _
from clerkdesk.messages import BackFromDutyLead, SignedOut
from clerkdesk.screens.counter import BACKOFF
from clerkdesk.screens.duty_lead_actions import LeadDecisions
from clerkdesk.screens.duty_lead_keys import lead_bindings, lead_commands
from clerkdesk.screens.duty_lead_live import LeadLive
from clerkdesk.screens.hall_link import on_screen
from clerkdesk.widgets.counter_bars import OfflineBanner, StatusLine
from clerkdesk.widgets.lead_inbox import (
    CalendarWarning,
    DecidedTable,
    InboxTable,
    OverrunTable,
    RequestDetail,
)
from clerkdesk.workstation.display import local_time
from clerkdesk.workstation.lead_desk import (
    EVERYTHING,
    LEAD_ACTION_NAMES,
    LeadDesk,
)
from clerkdesk.workstation.refusals import explain, explain_decision
from clerkdesk.workstation.session import Workstation


class DutyLeadScreen(LeadLive, LeadDecisions):
    DEFAULT_CSS = """
    DutyLeadScreen DataTable {
        background: $surface;
        border: round $border-blurred;
        border-title-color: $text-muted;
        &:focus { border: round $border; border-title-color: $text-primary; }
    }
    DutyLeadScreen #inbox { height: auto; min-height: 4; max-height: 50%; }
    DutyLeadScreen #decided, DutyLeadScreen #overruns { height: 1fr; min-height: 4; }
    DutyLeadScreen #request-detail { height: auto; padding: 0 1; }
    DutyLeadScreen #calendar-warning {
        height: auto; padding: 0 1; color: $text-warning; background: $warning-muted;
    }
    DutyLeadScreen #message { height: 1; padding: 0 1; }
    """

    def __init__(
        self, ws: Workstation, window: int | None, backoff: tuple[float, ...] = BACKOFF
    ) -> None:
        super().__init__()
        back = _("Counter") if window is not None else _("Windows")
        self._bindings = BindingsMap(lead_bindings(back))
        self.ws, self.window, self.backoff = ws, window, backoff
        self.desk = LeadDesk(ws.staff_no)
        self._offer: tuple[object, ...] = ()

    def palette_commands(self) -> list[SystemCommand]:
        return lead_commands(self)

    def compose(self) -> ComposeResult:
        yield OfflineBanner(id="offline-banner")
        yield CalendarWarning(id="calendar-warning")
        yield InboxTable(id="inbox")
        yield RequestDetail(id="request-detail")
        yield DecidedTable(id="decided")
        yield OverrunTable(id="overruns")
        yield Static("", id="message")
        yield StatusLine(id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)
        self.render_desk()
        self.request_refresh(*EVERYTHING)
        self.run_worker(self._follow(), group="stream", exclusive=True)
        self.query_one(InboxTable).focus()

    def on_unmount(self) -> None:
        self.closed = True
        self.app.workers.cancel_node(self)

    # --- what is offered -----------------------------------------------------------------------

    @property
    def is_admin(self) -> bool:
        return self.ws.me is not None and w.Role.admin in self.ws.me.staff.roles

    def request(self) -> w.ExtensionInboxItem | None:
        """The highlighted request of the inbox."""
        chosen = self.query_one(InboxTable).highlighted()
        return next((x for x in self.desk.inbox if x.extension.id == chosen), None)

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
        if action == "confirm_year":
            offered, mine = self.is_admin and bool(self.desk.unconfirmed_years), False
        elif action in ("confirm_overrun", "reject_overrun"):
            overrun = self.overrun()
            offered, mine = overrun is not None, bool(overrun and overrun.staff.staff_no == self.me)
        else:
            item = self.request()
            offered, mine = item is not None, bool(item and self.desk.is_mine(item))
        if not offered:
            return False
        return True if self.online and not mine else None  # shown, but off

    @property
    def me(self) -> str:
        return self.ws.staff_no

    def _update_offer(self) -> None:
        request, overrun = self.request(), self.overrun()
        offer = (
            request.extension.id if request else None,
            overrun.id if overrun else None,
            tuple(self.desk.unconfirmed_years),
            self.online,
        )
        if offer != self._offer:
            self._offer = offer
            self.refresh_bindings()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if isinstance(event.data_table, InboxTable):
            self._show_detail()
        self._update_offer()

    # --- showing -------------------------------------------------------------------------------

    @on_screen
    def say(self, text: str, error: bool = False) -> None:
        line = self.query_one("#message", Static)
        line.set_class(error, "refusal")
        line.update(text, layout=False)

    @on_screen
    def render_desk(self) -> None:
        now, zone, desk = self.ws.clock.now(), self.ws.zone, self.desk
        self.query_one(InboxTable).show(desk.inbox, self.me, now, zone)
        self.query_one(DecidedTable).show(desk.decided, zone)
        self.query_one(OverrunTable).show(desk.overruns, zone)
        self.query_one(CalendarWarning).show(desk.unconfirmed_years, self.is_admin)
        self._show_detail()
        self._render_status()
        self._update_offer()

    @on_screen
    def _show_detail(self) -> None:
        item = self.request()
        detail = self.query_one(RequestDetail)
        detail.display = item is not None
        detail.show(item, bool(item and self.desk.is_mine(item)), self.ws.zone)

    @on_screen
    def _render_status(self) -> None:
        me = self.ws.me
        parts = [_("Duty lead")]
        if me is not None:
            parts += [f"{me.staff.name} {me.staff.staff_no}", me.hall_name]
        parts.append(_("online") if self.online else _("offline"))
        clock = local_time(self.ws.clock.now(), self.ws.zone, seconds=True)
        self.query_one(StatusLine).show(parts, clock)

    @on_screen
    def _tick(self) -> None:
        self.query_one(InboxTable).show(self.desk.inbox, self.me, self.ws.clock.now(), self.ws.zone)
        self.query_one(OfflineBanner).tick()
        self._render_status()

    def _failed(self, error: ApiError) -> None:
        if self.gone:
            return
        if isinstance(error, Unauthorized):
            self.post_message(SignedOut(explain(error, self.ws.zone)))
        else:
            self.say(explain_decision(error, self.ws.zone), error=True)

    # --- leaving ------------------------------------------------------------------------------

    def action_back(self) -> None:
        if self.closed or self.still_sending():  # closed: Esc pressed twice, once is enough
            return
        self.closed = True
        self.post_message(BackFromDutyLead(self.window))
