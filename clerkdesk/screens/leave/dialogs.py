"""Asking for leave: whole dates (first and last) or some hours on one date, with a reason.
The form reads what is typed (clerkdesk.state.leave.read_ask); the hall decides the rest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.widgets import Input, Label, Static

from clerkdesk.i18n import N_, _
from clerkdesk.screens.dialogs import DIALOG_CSS, Dialog
from clerkdesk.screens.form_keys import FORM_KEYS
from clerkdesk.state.leave import FormProblem, LeaveAsk, read_ask

# (input id, label); labels are translated when shown
FIELDS: tuple[tuple[str, str], ...] = (
    ("first", N_("First date")),
    ("last", N_("Last date")),
    ("hours", N_("Hours off")),
    ("reason", N_("Reason")),
)


class RequestLeaveDialog(Dialog[LeaveAsk | None]):
    """Enter goes to the next field and sends from the last; Esc cancels."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="RequestLeaveDialog")
        + """
    RequestLeaveDialog Grid {
        grid-size: 2; grid-columns: 14 1fr; grid-rows: auto; grid-gutter: 0 1; height: auto;
    }
    RequestLeaveDialog Grid Input:blur { background: $panel; }
    RequestLeaveDialog .how { color: $text-muted; margin-top: 1; }
    RequestLeaveDialog #problem { height: auto; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        *FORM_KEYS,
        Binding("escape", "cancel", show=False),
    ]

    def __init__(self, question: str, first: date, today: Callable[[], date]) -> None:
        super().__init__()
        self._question, self._first, self._today = question, first, today

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self._question, classes="question")
            with Grid():
                for key, label in FIELDS:
                    yield Label(_(label))
                    yield Input(
                        self._first.isoformat() if key == "first" else "",
                        id=key,
                        compact=True,
                        max_length=200 if key == "reason" else 10,
                    )
            yield Static(
                _(
                    "Whole days: the first and the last date (empty: one day). Some hours: "
                    "the hours, taken on the first date."
                ),
                classes="how",
            )
            yield Static("", id="problem", classes="refusal")
            yield Static(
                _("Enter: next field, and sends from the reason · Esc cancels"), classes="hint"
            )

    def on_mount(self) -> None:
        self.query_one("#problem", Static).display = False
        field = self.query_one("#first", Input)
        field.focus()
        field.select_all()

    def _value(self, key: str) -> str:
        return self.query_one(f"#{key}", Input).value

    def action_enter(self) -> None:
        """Enter moves on; from the reason it sends, once the field has the keys typed."""
        focused = self.focused
        if isinstance(focused, Input) and focused.id == "reason":
            focused.call_later(self.submit)
        else:
            self.focus_next()

    def submit(self) -> None:
        asked = read_ask(
            self._value("first"),
            self._value("last"),
            self._value("hours"),
            self._value("reason"),
            self._today(),
        )
        if isinstance(asked, FormProblem):
            problem = self.query_one("#problem", Static)
            problem.update(asked.text)
            problem.display = True
            self.query_one(f"#{asked.field}", Input).focus()  # where to correct it
            return
        self.dismiss(asked)

    def action_cancel(self) -> None:
        self.dismiss(None)
