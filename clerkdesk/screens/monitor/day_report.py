"""The duty lead's day report (日报): per service and per window of one service day, what
`clerkdesk report day` prints (issued, served, no-shows, hand-offs, average and p90 wait and
service time, same-day completion rate, extensions, overruns, tide-window share) and the
busy-share spread of the day, before and after its first tide window.

Opened over the hall monitor (`d`, or the palette); today first, then `[` / `]` a day earlier
or later, `t` today, `g` a day typed in. The tables scroll both ways (the names stay at the
left); Tab moves between them. It reads GET /hall/day-report/{date} when the day changes and on
`r`; a day's report is a read, nothing is sent. Esc goes back to the monitor as it was.
"""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from textual import events
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from clerkdesk.api import report_schemas as rw
from clerkdesk.api.errors import ApiError, HallUnreachable
from clerkdesk.i18n import N_, _
from clerkdesk.palette import command
from clerkdesk.screens.dialogs import DIALOG_CSS, Dialog
from clerkdesk.screens.hall_link import BACKOFF, HallLink, on_screen
from clerkdesk.state.day_report import ReportDay, cells, columns_for, spread_lines
from clerkdesk.state.display import local_time
from clerkdesk.state.session import Workstation
from clerkdesk.widgets.counter_bars import OfflineBanner, StatusLine
from clerkdesk.widgets.message_line import MessageLine
from clerkdesk.widgets.tables import Row, rebuild, translate_key_help
from clerkdesk.widgets.textual_compat import replace_bindings

REPORT_ACTIONS = (
    ("earlier", "left_square_bracket", "[", N_("Day before"), N_("The report of the day before")),
    ("later", "right_square_bracket", "]", N_("Day after"), N_("The report of the day after")),
    ("today", "t", "t", N_("Today"), N_("Today's report")),
    ("pick_day", "g", "g", N_("Go to day"), N_("The report of a day you type")),
    ("reload", "r", "r", N_("Reload"), N_("Read the report again")),
)
REPORT_ACTION_NAMES = frozenset(name for name, *_rest in REPORT_ACTIONS)


class DayDialog(Dialog[str | None]):
    """Which day's report: a date typed as YYYY-MM-DD; Enter shows it, Escape cancels. A date
    the report cannot show is said here and the dialog stays."""

    DEFAULT_CSS = DIALOG_CSS.format(name="DayDialog")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, day: ReportDay) -> None:
        super().__init__()
        self._day = day

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Which day's report?"), classes="question")
            yield Label(_("Date (YYYY-MM-DD)"))
            yield Input(self._day.day.isoformat(), id="day", max_length=10)
            yield Static(_("Enter confirms · Esc cancels"), classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        why = ReportDay(self._day.today, self._day.day).choose(event.value)
        if why is not None:
            self.query_one(".hint", Static).update(why)
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReportTable(DataTable[str]):
    """One part of the report; the name column stays while the figures scroll sideways."""

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.fixed_columns = 1
        translate_key_help(self)

    def show(self, part: str, rows: list[rw.DayReportRowOut]) -> None:
        columns = columns_for(part)
        built: list[Row] = []
        for row in rows:
            found = cells(row)
            built.append((row.key, [found[key] for key, _header in columns]))
        rebuild(self, columns, built)


class DayReportScreen(Screen[None]):
    goes_with_the_screen_below = True  # a sign-out under it takes it along (ClerkDeskApp)
    DEFAULT_CSS = """
    DayReportScreen DataTable {
        background: $surface;
        border: round $border-blurred;
        border-title-color: $text-muted;
        &:focus { border: round $border; border-title-color: $text-primary; }
    }
    DayReportScreen #title { height: 1; padding: 0 1; text-style: bold; }
    DayReportScreen #services { height: auto; min-height: 4; max-height: 50%; }
    DayReportScreen #windows { height: 1fr; min-height: 4; }
    DayReportScreen #spread { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    DayReportScreen #message { height: 1; padding: 0 1; }
    """

    def __init__(self, ws: Workstation, backoff: tuple[float, ...] = BACKOFF) -> None:
        super().__init__()
        today = ws.clock.now().astimezone(ws.zone).date()
        self.ws, self.day = ws, ReportDay(today, today)
        self.report: rw.DayReportOut | None = None
        self.reads = 0
        self.link: HallLink[Any, None] = HallLink(
            self,
            ws,
            backoff,
            reread=self.request_read,
            redraw=self._render_status,
            say=self.say,
            deliver=self._nothing_to_send,
            delivered=lambda _change, _answer: None,
        )
        self.set_bindings()

    def set_bindings(self) -> None:
        replace_bindings(
            self,
            [
                *(
                    Binding(key, name, _(label), key_display=shown, id=f"report.{name}")
                    for name, key, shown, label, _help in REPORT_ACTIONS
                ),
                Binding("escape", "back", _("Monitor"), key_display="Esc", id="report.back"),
            ],
        )

    async def _nothing_to_send(self, _change: Any) -> None:
        raise AssertionError("the day report sends nothing")

    @property
    def gone(self) -> bool:
        return self.link.gone

    def palette_commands(self) -> list[SystemCommand]:
        return [
            command(f"{_(label)}  ({shown})", _(help_), partial(self.run_action, name))
            for name, _key, shown, label, help_ in REPORT_ACTIONS
        ]

    def compose(self) -> ComposeResult:
        yield OfflineBanner(id="offline-banner")
        yield Static("", id="title")
        yield ReportTable(id="services")
        yield ReportTable(id="windows")
        yield Static("", id="spread")
        yield MessageLine("", id="message")
        yield StatusLine(id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#services", ReportTable).border_title = _("Per service")
        self.query_one("#windows", ReportTable).border_title = _("Per window")
        self.query_one("#services", ReportTable).focus()
        self.set_interval(1.0, self._tick)
        self.render_report()
        self.request_read()

    def on_unmount(self) -> None:
        self.link.closed = True
        self.app.workers.cancel_node(self)

    # --- showing -------------------------------------------------------------------------------

    @on_screen
    def say(self, text: str, error: bool = False) -> None:
        self.query_one(MessageLine).say(text, error)

    @on_screen
    def render_report(self) -> None:
        report = self.report if self.report and self.report.local_date == self.day.day else None
        title = self.day.title()
        if report is not None:
            title = f"{title} · {report.hall}"
        elif self.link.online:
            title = f"{title} · {_('reading…')}"
        self.query_one("#title", Static).update(title)
        services = self.query_one("#services", ReportTable)
        windows = self.query_one("#windows", ReportTable)
        services.show("services", report.services if report else [])
        windows.show("windows", report.windows if report else [])
        if report is not None and not report.windows:
            self.say(_("No window called anyone on {day}.").format(day=report.local_date))
        self.query_one("#spread", Static).update("\n".join(spread_lines(report)) if report else "")
        self._render_status()
        self.refresh_bindings()

    @on_screen
    def _render_status(self) -> None:
        parts = [_("Day report")]
        me = self.ws.me
        if me is not None:
            parts += [f"{me.staff.name} {me.staff.staff_no}", me.hall_name]
        parts.append(_("online") if self.link.online else _("offline"))
        clock = local_time(self.ws.clock.now(), self.ws.zone, seconds=True)
        self.query_one(StatusLine).show(parts, clock)

    @on_screen
    def _tick(self) -> None:
        self.query_one(OfflineBanner).tick()
        self._render_status()

    def on_resize(self, _event: events.Resize) -> None:
        self.render_report()

    # --- reading -------------------------------------------------------------------------------

    def request_read(self) -> None:
        """Read the day shown; a read for a day left meanwhile is dropped (keys in a burst
        cost the last day's read, not one each)."""
        if not self.gone:
            self.run_worker(self._read(self.day.day), group="read", exclusive=True)

    async def _read(self, day: Any) -> None:
        try:
            report = await self.ws.client.hall_day_report(day)
        except HallUnreachable as exc:
            self.link.lost(exc.reason)
            return
        except ApiError as exc:
            self.link.failed(exc)
            return
        if day != self.day.day:
            return
        self.reads += 1
        self.report = report
        self.render_report()

    def _moved(self, changed: bool) -> None:
        if changed:
            self.say("")
            self.render_report()
            self.request_read()

    # --- keys ----------------------------------------------------------------------------------

    def action_earlier(self) -> None:
        self._moved(self.day.earlier())

    def action_later(self) -> None:
        if not self.day.later():
            self.say(_("This is today's report: a day still to come has none."), True)
            return
        self._moved(True)

    def action_today(self) -> None:
        if not self.day.back_to_today():
            self.say(_("This is today's report already."))
            return
        self._moved(True)

    def action_pick_day(self) -> None:
        def chosen(text: str | None) -> None:
            if text is None:
                return
            before = self.day.day
            self.day.choose(text)  # checked by the dialog
            self._moved(self.day.day != before)

        self.app.push_screen(DayDialog(self.day), chosen)

    def action_reload(self) -> None:
        self.request_read()

    def action_back(self) -> None:
        if self.link.closed:
            return
        self.link.closed = True
        self.app.pop_screen()
