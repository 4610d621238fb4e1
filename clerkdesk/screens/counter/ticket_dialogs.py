"""The dialogs of the counter's ticket actions: outcome, park position, calling a given ticket."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from clerkdesk.api.schemas import Outcome, QueuePosition
from clerkdesk.i18n import _
from clerkdesk.screens.dialogs import DIALOG_CSS, Dialog
from clerkdesk.screens.form_keys import FORM_KEYS
from clerkdesk.state.display import OUTCOME_NAMES


class OutcomeDialog(Dialog[Outcome | None]):
    """How did the case end? Arrows + Enter, or the option's digit; Escape cancels."""

    DEFAULT_CSS = DIALOG_CSS.format(name="OutcomeDialog")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", show=False),
        *(Binding(str(i), f"pick({i - 1})", show=False) for i in range(1, len(Outcome) + 1)),
    ]

    def __init__(self, code: str) -> None:
        super().__init__()
        self._code = code

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Complete {ticket}: how did it end?").format(ticket=self._code))
            yield OptionList(
                *[
                    Option(f"{i}  {_(OUTCOME_NAMES[o])}", id=o.value)
                    for i, o in enumerate(Outcome, 1)
                ],
                id="outcomes",
            )
            yield Static(_("Enter confirms · Esc cancels"), classes="hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(Outcome(str(event.option.id)))

    def action_pick(self, index: int) -> None:
        self.dismiss(list(Outcome)[index])

    def action_cancel(self) -> None:
        self.dismiss(None)


class ParkDialog(Dialog[tuple[QueuePosition, str] | None]):
    """Back to the queue: at its front or its back, with an optional reason."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ParkDialog")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, code: str) -> None:
        super().__init__()
        self._code = code

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Send {ticket} back to the queue:").format(ticket=self._code))
            yield OptionList(
                Option(_("Back of the queue (after everyone waiting)"), id="back"),
                Option(_("Front of the queue (called next)"), id="front"),
                id="positions",
            )
            yield Label(_("Reason (optional)"))
            yield Input("", id="reason", max_length=500)
            yield Static(_("Enter confirms · Esc cancels"), classes="hint")

    def _finish(self) -> None:
        options = self.query_one(OptionList)
        index = options.highlighted if options.highlighted is not None else 0
        position = QueuePosition(str(options.get_option_at_index(index).id))
        self.dismiss((position, self.query_one(Input).value.strip()))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._finish()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._finish()

    def action_cancel(self) -> None:
        self.dismiss(None)


class CallTicketDialog(Dialog[tuple[str, str] | None]):
    """Call a given ticket by its number; out of turn it needs a reason (the server says).
    Enter moves on from the number and calls from the reason."""

    DEFAULT_CSS = DIALOG_CSS.format(name="CallTicketDialog")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False), *FORM_KEYS]

    def __init__(self, code: str = "") -> None:
        super().__init__()
        self._code = code

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Call a given ticket"))
            yield Label(_("Ticket number"))
            yield Input(self._code, id="code", max_length=32)
            yield Label(_("Reason (needed out of turn)"))
            yield Input("", id="reason", max_length=500)
            yield Static(_("Enter confirms · Esc cancels"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#reason" if self._code else "#code", Input).focus()

    def action_enter(self) -> None:
        focused = self.focused
        code = self.query_one("#code", Input)
        if focused is code:
            self.set_focus(self.query_one("#reason", Input))
            code.call_later(self._check_code)
        elif focused is not None:
            focused.call_later(self.submit)
        else:
            self.submit()

    def _code_given(self) -> str:
        return self.query_one("#code", Input).value.strip().upper()

    def _check_code(self) -> None:
        if not self._code_given():
            self.set_focus(self.query_one("#code", Input))

    def submit(self) -> None:
        code = self._code_given()
        if not code:
            self.set_focus(self.query_one("#code", Input))
            return
        self.dismiss((code, self.query_one("#reason", Input).value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
