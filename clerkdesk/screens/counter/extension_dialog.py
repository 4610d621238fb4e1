"""Asking the duty lead to keep the window open longer (延时服务): minutes and a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from clerkdesk.i18n import _
from clerkdesk.screens.dialogs import DIALOG_CSS, Dialog
from clerkdesk.screens.form_keys import FORM_KEYS

MIN_MINUTES, MAX_MINUTES = 1, 240  # what the hall accepts (RequestExtension)
DEFAULT_MINUTES = 15
"""Prefilled when the estimate says the time left is enough: the clerk still knows better."""


class ExtensionDialog(Dialog[tuple[int, str] | None]):
    """Minutes (prefilled with the hall's suggestion) and a reason (required, prefilled with the
    situation). Enter sends, or from the minutes moves on to the reason while it is empty;
    Escape cancels."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ExtensionDialog")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False), *FORM_KEYS]

    def __init__(
        self, window: int, situation: Callable[[], str], minutes: int, reason: str = ""
    ) -> None:
        """`situation`: the time left and who waits, read again every second while open."""
        super().__init__()
        self._window, self._situation = window, situation
        self._minutes = minutes if minutes >= MIN_MINUTES else DEFAULT_MINUTES
        self._reason = reason

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                _("Ask the duty lead to keep window {n} open longer").format(n=self._window),
                classes="title",
            )
            yield Static(self._situation(), classes="question", markup=False)
            yield Label(_("Minutes past the current end"))
            yield Input(
                str(min(self._minutes, MAX_MINUTES)), id="minutes", type="integer", max_length=3
            )
            yield Label(_("Reason"))
            yield Input(self._reason, id="reason", max_length=500)
            yield Static(_("Enter confirms · Esc cancels"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#minutes", Input).focus()
        self.set_interval(1.0, self._show_situation)

    def _show_situation(self) -> None:
        self.query_one(".question", Static).update(self._situation())

    def _hint(self, text: str) -> None:
        self.query_one(".hint", Static).update(text)

    def action_enter(self) -> None:
        focused = self.focused
        minutes = self.query_one("#minutes", Input)
        reason = self.query_one("#reason", Input)
        if focused is minutes and reason.value.strip():  # the reason is there: send
            minutes.call_later(self.submit)
        elif focused is minutes:
            self.set_focus(reason)
            minutes.call_later(self._minutes_given)  # says so if they are not right
        elif focused is not None:
            focused.call_later(self.submit)
        else:
            self.submit()

    def _minutes_given(self) -> int | None:
        """The minutes typed, if a whole number the hall accepts; else says so and goes back."""
        minutes_input = self.query_one("#minutes", Input)
        try:
            minutes = int(minutes_input.value.strip())
        except ValueError:
            minutes = 0
        if MIN_MINUTES <= minutes <= MAX_MINUTES:
            return minutes
        self._hint(
            _("Minutes: a whole number from {low} to {high}.").format(
                low=MIN_MINUTES, high=MAX_MINUTES
            )
        )
        self.set_focus(minutes_input)
        return None

    def submit(self) -> None:
        minutes = self._minutes_given()
        if minutes is None:
            return
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self._hint(_("A reason is needed: type one."))
            self.set_focus(self.query_one("#reason", Input))
            return
        self.dismiss((minutes, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)
