"""The duty lead's hall monitor (大厅监控): per service the citizens waiting, the longest wait
and what a new arrival can expect; per window its state, clerk, ticket and busy share today
(a bar of it from 120 columns on); congestion alerts with the windows that could take the load;
the busy-share spread. The lead opens a tide window (潮汐窗口) from here, or revokes one.

It starts from GET /hall/monitor and reads it again when the event stream says the hall changed
(reads coalesce: a burst of events costs a read every half second, never one each); no
polling. Each tide change is sent exactly once through the screen's link (HallLink). Esc goes
back.
"""

from __future__ import annotations

import asyncio

from textual import events
from textual.app import ComposeResult, SystemCommand
from textual.screen import Screen
from textual.widgets import DataTable, Footer

from clerkdesk.api import schemas as w
from clerkdesk.api.errors import ApiError, HallUnreachable, Unauthorized
from clerkdesk.api.events import EventSubscription, StreamStatus
from clerkdesk.i18n import _
from clerkdesk.messages import BackFromDutyLead
from clerkdesk.screens.dialogs import ConfirmDialog
from clerkdesk.screens.hall_link import BACKOFF, HallLink, on_screen
from clerkdesk.screens.monitor.keys import (
    MONITOR_ACTION_NAMES,
    monitor_bindings,
    monitor_commands,
)
from clerkdesk.screens.monitor.tide_dialog import TideAsked, TideDialog
from clerkdesk.state.display import local_time
from clerkdesk.state.monitor import WIDE, HallWatch, TideChange, reloads_for
from clerkdesk.state.session import Workstation
from clerkdesk.widgets.counter_bars import OfflineBanner, StatusLine
from clerkdesk.widgets.message_line import MessageLine
from clerkdesk.widgets.monitor_tables import (
    AlertPanel,
    ServiceLoadTable,
    SpreadLine,
    WindowLoadTable,
)
from clerkdesk.widgets.textual_compat import replace_bindings

READ_GAP_S = 0.5
"""Between two reads of the hall while events keep coming: a burst costs the hall service two
reads a second per monitor open, and the screen is never more than a read and this behind."""


class HallMonitorScreen(Screen[None]):
    DEFAULT_CSS = """
    HallMonitorScreen DataTable {
        background: $surface;
        border: round $border-blurred;
        border-title-color: $text-muted;
        &:focus { border: round $border; border-title-color: $text-primary; }
    }
    HallMonitorScreen #services { height: auto; min-height: 4; max-height: 45%; }
    HallMonitorScreen #windows { height: 1fr; min-height: 4; }
    HallMonitorScreen #alerts {
        height: auto; max-height: 4; padding: 0 1; color: $text-warning;
        background: $warning-muted;
    }
    HallMonitorScreen #spread { height: 1; padding: 0 1; color: $text-muted; }
    HallMonitorScreen #message { height: 1; padding: 0 1; }
    """

    def __init__(
        self, ws: Workstation, window: int | None, backoff: tuple[float, ...] = BACKOFF
    ) -> None:
        super().__init__()
        back = _("Counter") if window is not None else _("Windows")
        replace_bindings(self, monitor_bindings(back))
        self.ws, self.window, self.backoff = ws, window, backoff
        self.seen = HallWatch()
        self.link: HallLink[TideChange, w.TideOut] = HallLink(
            self,
            ws,
            backoff,
            reread=self.request_refresh,
            redraw=self._render_link,
            say=self.say,
            deliver=self._deliver,
            delivered=self._delivered,
        )
        self._refreshing = False
        self._wanted = False
        self.reads = 0  # how often the hall was read (a burst of events: a few reads)

    @property
    def gone(self) -> bool:
        return self.link.gone

    @property
    def wide(self) -> bool:
        return self.size.width >= WIDE

    def palette_commands(self) -> list[SystemCommand]:
        return monitor_commands(self)

    def compose(self) -> ComposeResult:
        yield OfflineBanner(id="offline-banner")
        yield AlertPanel(id="alerts")
        yield ServiceLoadTable(id="services")
        yield WindowLoadTable(id="windows")
        yield SpreadLine(id="spread")
        yield MessageLine("", id="message")
        yield StatusLine(id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)
        self.query_one(AlertPanel).display = False
        self.request_refresh()
        self.run_worker(self._follow(), group="stream", exclusive=True)
        self.query_one(WindowLoadTable).focus()
        self._render_status()

    def on_unmount(self) -> None:
        self.link.closed = True
        self.app.workers.cancel_node(self)

    def on_resize(self, _event: events.Resize) -> None:
        self.render_hall()

    # --- what is offered -----------------------------------------------------------------------

    def highlighted_window(self) -> w.WindowLoadOut | None:
        key = self.query_one(WindowLoadTable).highlighted()
        return self.seen.window(int(key)) if key is not None else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in MONITOR_ACTION_NAMES:
            return True
        if not self.is_mounted or self.gone:
            return False
        if action == "end_tide":
            window = self.highlighted_window()
            if window is None or window.tide is None:
                return False
        if action in ("reload", "day_report"):
            return True
        return True if self.link.online and self.seen.loaded else None

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    # --- showing -------------------------------------------------------------------------------

    @on_screen
    def say(self, text: str, error: bool = False) -> None:
        self.query_one(MessageLine).say(text, error)

    @on_screen
    def render_hall(self) -> None:
        snapshot = self.seen.snapshot
        if snapshot is None:
            return
        wide, now = self.wide, self.ws.clock.now()
        self.query_one(AlertPanel).show(snapshot.alerts)
        self.query_one(ServiceLoadTable).show(snapshot.services, wide)
        self.query_one(WindowLoadTable).show(snapshot.windows, now, wide)
        self.query_one(SpreadLine).show(snapshot.spread)
        self._render_status()
        self.refresh_bindings()

    @on_screen
    def _render_status(self) -> None:
        parts = [_("Hall monitor")]
        me = self.ws.me
        if me is not None:
            parts += [f"{me.staff.name} {me.staff.staff_no}", me.hall_name]
        parts.append(_("online") if self.link.online else _("offline"))
        clock = local_time(self.ws.clock.now(), self.ws.zone, seconds=True)
        self.query_one(StatusLine).show(parts, clock)

    @on_screen
    def _tick(self) -> None:
        snapshot = self.seen.snapshot
        if snapshot is not None:
            self.query_one(WindowLoadTable).show(snapshot.windows, self.ws.clock.now(), self.wide)
        self.query_one(OfflineBanner).tick()
        self._render_status()

    def _failed(self, error: ApiError) -> None:
        self.link.failed(error)

    @on_screen
    def _render_link(self) -> None:
        """After HallLink's banner and reading again: the status line and the keys."""
        self._render_status()
        self.refresh_bindings()

    # --- reading -------------------------------------------------------------------------------

    def request_refresh(self) -> None:
        """Read the hall again; requests made while a read runs make one more read after it."""
        self._wanted = True
        if not self._refreshing and not self.gone:
            self._refreshing = True
            self.run_worker(self._refresh(), group="refresh")

    async def _refresh(self) -> None:
        try:
            first = True
            while self._wanted and not self.gone:
                if not first:  # events came while reading: one more read, not at once
                    await asyncio.sleep(READ_GAP_S)
                first = False
                self._wanted = False
                try:
                    snapshot = await self.ws.client.hall_monitor()
                except HallUnreachable as exc:
                    self._wanted = True
                    self.link.lost(exc.reason)
                    return
                except ApiError as exc:
                    self._failed(exc)
                    return
                self.reads += 1
                self.seen.load(snapshot)
                self.render_hall()
        finally:
            self._refreshing = False

    async def _follow(self) -> None:
        events_ = EventSubscription(self.ws.client, backoff=self.backoff)
        try:
            async for item in events_:
                if isinstance(item, StreamStatus):
                    if item.connected:
                        self.request_refresh()  # what happened while not following
                    self.link.heard(item)
                elif reloads_for(item):
                    self.request_refresh()
        except Unauthorized as exc:
            self._failed(exc)

    # --- tide windows (HallLink sends each exactly once) ---------------------------------------

    async def _deliver(self, change: TideChange) -> w.TideOut:
        return await change.send(self.ws.client)

        self.request_refresh()

    def _delivered(self, change: TideChange, answer: w.TideOut) -> None:
        self.say(change.done(answer, self.ws.zone))
        self.request_refresh()

    def action_open_tide(self) -> None:
        chosen = self.highlighted_window()
        number, service = self.seen.suggestion(chosen.number if chosen else None)
        today = self.ws.clock.now().astimezone(self.ws.zone).date()

        def asked(answer: TideAsked | None) -> None:
            if answer is not None:
                self.link.send_once(
                    TideChange(answer.window, answer.services, answer.until, answer.reason)
                )

        self.app.push_screen(TideDialog(number, service, today, self.ws.zone), asked)

    def action_end_tide(self) -> None:
        window = self.highlighted_window()
        if window is None or window.tide is None:
            return
        number = window.number

        def answered(yes: bool | None) -> None:
            if yes:
                self.link.send_once(TideChange(number))

        question = _("Window {n} stops calling {services} first and calls its own again?").format(
            n=number, services=", ".join(window.tide.services)
        )
        self.app.push_screen(ConfirmDialog(question, _("Revoke"), _("Keep")), answered)

    def action_reload(self) -> None:
        self.request_refresh()

    def action_day_report(self) -> None:
        from clerkdesk.screens.monitor.day_report import DayReportScreen

        self.app.push_screen(DayReportScreen(self.ws, self.backoff))

    def action_back(self) -> None:
        if self.link.closed or self.link.still_sending():
            return
        self.link.closed = True
        self.post_message(BackFromDutyLead(self.window))
