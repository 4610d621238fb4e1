"""The window's day, shown once the clerk has closed it at its end: served, no-shows, the
extension used, the overrun recorded (clerkdesk.state.day_summary says it)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from clerkdesk.i18n import _
from clerkdesk.screens.dialogs import DIALOG_CSS, Dialog


class DaySummaryDialog(Dialog[None]):
    """A title and a few lines; Enter or Escape goes on (to the window picker)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="DaySummaryDialog")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,escape", "close", show=False),
    ]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__()
        self._title, self._lines = title, lines

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self._title, classes="question", markup=False)
            yield Static("\n".join(self._lines), classes="question", markup=False)
            yield Static(_("Enter: back to the windows"), classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
