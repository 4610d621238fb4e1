"""Small typed modal dialogs that dismiss with a value (yes/no, a reason), and `Ask`: a dialog
with the change its answer gives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from clerkdesk.i18n import _

DIALOG_CSS = """
{name} {{
    align: center middle;
    background: $background 60%;
}}
{name} > Vertical {{
    width: 64;
    max-width: 100%;
    height: auto;
    padding: 1 2;
    background: $surface;
    border: thick $primary;
}}
{name} .question {{
    width: 100%;
    margin-bottom: 1;
}}
{name} .hint {{
    color: $text-muted;
}}
{name} Horizontal {{
    height: auto;
    align: right middle;
}}
{name} Button {{
    margin-left: 2;
}}
"""


R = TypeVar("R")
C = TypeVar("C")


class Dialog(ModalScreen[R]):
    """A modal dialog that answers once.

    Textual's `dismiss` pops whatever screen is on top. A second answer given before the first
    has taken effect (Enter or a digit pressed twice, a double click, keys typed fast) would
    run the caller's callback again and then close the screen under the dialog: the counter,
    leaving the clerk before an empty screen. Here every answer after the first is ignored."""

    _answered = False

    def dismiss(self, result: R | None = None) -> AwaitComplete:
        if self._answered:
            return AwaitComplete()
        self._answered = True
        return super().dismiss(result)


class ConfirmDialog(Dialog[bool]):
    """A yes/no question; y/Enter on "yes", n/Escape for no."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmDialog")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer(False)", show=False),
        Binding("y", "answer(True)", show=False),
    ]

    def __init__(self, question: str, yes: str, no: str) -> None:
        super().__init__()
        self._question, self._yes, self._no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self._question, classes="question")
            with Horizontal():
                yield Button(self._yes, id="yes", variant="warning")
                yield Button(self._no, id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ReasonDialog(Dialog[str | None]):
    """Ask for a reason (for a no-show, say); Enter confirms, Escape cancels."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ReasonDialog")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, question: str, suggestion: str = "", required: bool = True) -> None:
        super().__init__()
        self._question, self._suggestion, self._required = question, suggestion, required
        # the field is named as the question asks for it: a reason, or an optional note
        self._label = _("Reason") if required else _("Note (optional)")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self._question, classes="question")
            yield Label(self._label)
            yield Input(self._suggestion, id="reason", max_length=500)
            yield Static(_("Enter confirms · Esc cancels"), classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        reason = event.value.strip()
        if self._required and not reason:
            self.query_one(".hint", Static).update(_("A reason is needed: type one."))
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class Ask(Generic[R, C]):
    """A dialog, and the change its answer gives (None: the person changed their mind)."""

    dialog: Dialog[R]
    then: Callable[[R | None], C | None]
