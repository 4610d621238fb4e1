"""The tide window dialog: which window, which service(s), until when, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from clerkdesk.i18n import _
from clerkdesk.screens.dialogs import DIALOG_CSS, Dialog
from clerkdesk.state.monitor import parse_until


@dataclass(frozen=True)
class TideAsked:
    window: int
    services: tuple[str, ...]
    until: datetime | None
    reason: str


class TideDialog(Dialog[TideAsked | None]):
    """Enter moves on and, in the last field, opens the tide window; Escape cancels."""

    DEFAULT_CSS = DIALOG_CSS.format(name="TideDialog")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(
        self, window: int | None, service: str | None, today: date, zone: ZoneInfo
    ) -> None:
        super().__init__()
        self._window, self._service, self._today, self._zone = window, service, today, zone

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                _("Open a tide window: the window calls these services first."), classes="question"
            )
            yield Label(_("Window"))
            yield Input(str(self._window or ""), id="window", max_length=4)
            yield Label(_("Services (codes, comma between)"))
            yield Input(self._service or "", id="services", max_length=200)
            yield Label(_("Until (HH:MM; empty: until revoked)"))
            yield Input("", id="until", max_length=5)
            yield Label(_("Reason"))
            yield Input("", id="reason", max_length=500)
            yield Static(_("Enter confirms · Esc cancels"), classes="hint")

    def on_mount(self) -> None:
        first_empty = next((i for i in self.query(Input) if not i.value and i.id != "until"), None)
        (first_empty or self.query_one("#reason", Input)).focus()

    def _hint(self, text: str) -> None:
        self.query_one(".hint", Static).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        values = {i.id: i.value.strip() for i in self.query(Input)}
        if not values["window"].isdigit():
            self._hint(_("Give the window's number."))
            self.query_one("#window", Input).focus()
            return
        services = tuple(s.strip() for s in values["services"].split(",") if s.strip())
        if not services:
            self._hint(_("Give at least one service code."))
            self.query_one("#services", Input).focus()
            return
        try:
            until = parse_until(values["until"], self._today, self._zone)
        except ValueError:
            self._hint(_("Give the end as HH:MM, e.g. 11:30, or leave it empty."))
            self.query_one("#until", Input).focus()
            return
        if not values["reason"]:
            if event.input.id != "reason":
                self.query_one("#reason", Input).focus()
                return
            self._hint(_("A reason is needed: type one."))
            return
        self.dismiss(TideAsked(int(values["window"]), services, until, values["reason"]))

    def action_cancel(self) -> None:
        self.dismiss(None)
