"""Pick a window: my department's windows, who holds each and since when, kept current from the
hall's event stream. Taking over a held window asks first, naming the holder."""

from __future__ import annotations

import contextlib

from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from clerkdesk.api import schemas as w
from clerkdesk.api.errors import ApiError, HallClientError, HallUnreachable, Unauthorized
from clerkdesk.api.events import EventSubscription, StreamStatus
from clerkdesk.i18n import _
from clerkdesk.messages import SignedOut, WindowTaken
from clerkdesk.palette import command
from clerkdesk.screens.dialogs import ConfirmDialog
from clerkdesk.screens.hall_link import screen_gone
from clerkdesk.state.display import local_time
from clerkdesk.state.refusals import explain
from clerkdesk.state.session import Workstation
from clerkdesk.widgets.tables import rebuild, translate_key_help
from clerkdesk.widgets.textual_compat import replace_bindings

WINDOW_EVENTS = frozenset(
    {
        w.EventKind.window_signed_in,
        w.EventKind.window_signed_out,
        w.EventKind.window_paused,
        w.EventKind.window_resumed,
        w.EventKind.window_closed,
        w.EventKind.hall_updated,
        w.EventKind.reset,
    }
)


def my_windows(windows: list[w.WindowOut], department: str | None) -> list[w.WindowOut]:
    """The windows of my department (and those of none); all of them for staff of none."""
    if department is None:
        return windows
    return [x for x in windows if x.department in (department, None)]


class WindowPickerScreen(Screen[None]):
    DEFAULT_CSS = """
    WindowPickerScreen #title { padding: 0 1; text-style: bold; color: $text-primary; }
    WindowPickerScreen #windows { height: 1fr; }
    WindowPickerScreen #message { height: auto; padding: 0 1; }
    """

    def __init__(self, ws: Workstation, message: str | None = None) -> None:
        super().__init__()
        replace_bindings(
            self,
            [
                Binding("enter", "take", _("Take window"), id="picker.take"),
                Binding("f5,r", "reload", _("Reload"), key_display="F5 r", id="picker.reload"),
                Binding("ctrl+o", "sign_out", _("Sign out"), id="picker.sign_out"),
                Binding("d", "app.duty_lead", _("Duty lead"), id="picker.duty_lead"),
            ],
        )
        self.ws = ws
        self._message = message
        self._windows: list[w.WindowOut] = []

    def palette_commands(self) -> list[SystemCommand]:
        return [
            command(
                _("Take window") + "  (Enter)",
                _("Sign in at the highlighted window"),
                self.action_take,
            ),
            command(_("Reload") + "  (F5 r)", _("Read the windows again"), self.action_reload),
            command(
                _("Sign out") + "  (Ctrl+O)",
                _("End the sign-in on this workstation"),
                self.action_sign_out,
            ),
        ]

    def compose(self) -> ComposeResult:
        yield Static("", id="title")
        table: DataTable[str] = DataTable(id="windows", cursor_type="row", zebra_stripes=True)
        translate_key_help(table)
        yield table
        yield Static(self._message or _("Enter takes the highlighted window."), id="message")
        yield Footer()

    def on_mount(self) -> None:
        me = self.ws.me
        name = f"{me.staff.name} {me.staff.staff_no}" if me else ""
        self.query_one("#title", Static).update(
            _("Pick your window · {name} · {hall}").format(
                name=name, hall=me.hall_name if me else ""
            )
        )
        if self._message:  # why the clerk is here again (a window taken over)
            self.say(self._message)
        rebuild(self.query_one(DataTable), self._columns(), [])
        self.reload()
        self.follow()

    def on_unmount(self) -> None:
        self.app.workers.cancel_node(self)  # the stream and any late read end with the screen

    @property
    def gone(self) -> bool:
        """Leaving (its widgets may already be removed): late answers change nothing."""
        return screen_gone(self)

    def say(self, text: str, error: bool = True) -> None:
        if self.gone:
            return
        line = self.query_one("#message", Static)
        line.set_class(error, "refusal")
        line.update(text)

    def _columns(self) -> list[tuple[str, str]]:
        return [
            ("number", _("Window")),
            ("label", _("Name")),
            ("holder", _("Held by")),
            ("since", _("Since")),
            ("state", _("State")),
        ]

    def _state(self, holder: w.WindowSessionOut | None) -> str:
        if holder is None:
            return _("free")
        if holder.staff.staff_no == self.ws.staff_no:
            return _("yours")
        return _("paused") if holder.paused else _("open")

    def _show(self, windows: list[w.WindowOut]) -> None:
        if self.gone:  # an answer arriving after the clerk moved on
            return
        self._windows = windows
        rows = [
            (
                str(window.number),
                (
                    str(window.number),
                    window.label,
                    window.holder.staff.name if window.holder else "—",
                    local_time(window.holder.started_at, self.ws.zone) if window.holder else "",
                    self._state(window.holder),
                ),
            )
            for window in windows
        ]
        rebuild(self.query_one(DataTable), self._columns(), rows)
        if not windows:
            self.say(_("No window belongs to your department: ask an admin."))

    def action_reload(self) -> None:
        self.reload()

    def action_take(self) -> None:
        table = self.query_one(DataTable)
        if self._windows and 0 <= table.cursor_row < len(self._windows):
            self.take(self._windows[table.cursor_row])

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_take()

    def action_sign_out(self) -> None:
        self.sign_out()

    @work(exclusive=True, group="picker-stream", exit_on_error=False)
    async def follow(self) -> None:
        """Read the windows again when someone signs in, leaves, pauses or the hall changes;
        and after each (re)connection, for whatever happened while the stream was away."""
        try:
            seen = False
            async for item in EventSubscription(self.ws.client):
                if isinstance(item, StreamStatus):
                    if item.connected:
                        if seen:  # back after a break: the hall's clock may have moved on
                            with contextlib.suppress(HallClientError):
                                await self.ws.follow_hall_clock()
                        seen = True
                        self.reload()
                elif item.kind in WINDOW_EVENTS:
                    self.reload()
        except Unauthorized as exc:
            self.post_message(SignedOut(explain(exc)))

    @work(exclusive=True, group="picker-read")
    async def reload(self) -> None:
        try:
            windows = await self.ws.client.windows()
        except Unauthorized as exc:
            self.post_message(SignedOut(explain(exc)))
            return
        except HallClientError as exc:
            self.say(explain(exc, self.ws.zone))
            return
        department = self.ws.me.staff.department if self.ws.me else None
        self._show(my_windows(windows, department))

    @work(exclusive=True, group="picker")
    async def take(self, window: w.WindowOut) -> None:
        holder = window.holder
        force = False
        if holder is not None and holder.staff.staff_no != self.ws.staff_no:
            question = _(
                "Window {n} is held by {name} since {time}. Take it over? "
                "They are signed out there."
            ).format(
                n=window.number,
                name=holder.staff.name,
                time=local_time(holder.started_at, self.ws.zone),
            )
            confirm = ConfirmDialog(question, _("Take over"), _("Cancel"))
            if not await self.app.push_screen_wait(confirm):
                return
            force = True
        try:
            await self.ws.client.sign_in(window.number, force=force)
        except HallUnreachable as exc:
            self.say(explain(exc))
            return
        except ApiError as exc:
            self.say(explain(exc, self.ws.zone))
            self.reload()
            return
        self.post_message(WindowTaken(window.number))

    @work(exclusive=True, group="picker")
    async def sign_out(self) -> None:
        await self.ws.sign_out()
        self.post_message(SignedOut(_("Signed out.")))
