"""The duty lead's dialog for approving other minutes than the clerk asked for."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.validation import Integer
from textual.widgets import Input, Label, Static

from clerkdesk.i18n import _
from clerkdesk.screens.dialogs import DIALOG_CSS, Dialog

MOST_MINUTES = 240  # what the hall accepts for one request


class ApproveMinutesDialog(Dialog[int | None]):
    """Minutes to approve, prefilled with the request's; Enter confirms, Escape cancels."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ApproveMinutesDialog")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, question: str, asked: int) -> None:
        super().__init__()
        self._question, self._asked = question, asked

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self._question, classes="question")
            yield Label(_("Minutes to approve (1–{most})").format(most=MOST_MINUTES))
            yield Input(
                str(self._asked),
                id="minutes",
                type="integer",
                max_length=3,
                validators=[Integer(minimum=1, maximum=MOST_MINUTES)],
            )
            yield Static(_("Enter confirms · Esc cancels"), classes="hint")

    def on_mount(self) -> None:
        field = self.query_one("#minutes", Input)
        field.focus()
        field.select_all()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.validation_result is not None and not event.validation_result.is_valid:
            self.query_one(".hint", Static).update(
                _("Type whole minutes from 1 to {most}.").format(most=MOST_MINUTES)
            )
            return
        self.dismiss(int(event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
