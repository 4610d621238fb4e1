"""A no-show came back: which ticket (picked from this window's recent no-shows, or typed as the
citizen holds it up) and why. The hall decides whether it is still in time."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from clerkdesk.i18n import _
from clerkdesk.screens.dialogs import DIALOG_CSS, Dialog
from clerkdesk.screens.form_keys import FORM_KEYS


class ReinstateDialog(Dialog[tuple[str, str] | None]):
    """The recent no-shows (`rows`: code and how it reads), the ticket number (filled from the
    highlighted one, or typed) and a reason. Enter moves on from the list and the number and
    sends from the reason; Escape cancels."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="ReinstateDialog")
        + """
    ReinstateDialog OptionList { height: auto; max-height: 6; margin-bottom: 1; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False), *FORM_KEYS]

    def __init__(self, rows: list[tuple[str, str]], minutes: int) -> None:
        super().__init__()
        self._rows, self._minutes = rows, minutes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("A no-show came back: first in line again for its service"))
            if self._rows:
                yield OptionList(
                    *[Option(text, id=code) for code, text in self._rows], id="no-shows"
                )
            else:
                yield Static(
                    _("No no-show at this window in the last {n} min: type the number.").format(
                        n=self._minutes
                    ),
                    classes="question",
                )
            yield Label(_("Ticket number"))
            yield Input(self._rows[0][0] if self._rows else "", id="code", max_length=32)
            yield Label(_("Reason"))
            yield Input(_("Came back to the counter"), id="reason", max_length=500)
            yield Static(_("Enter confirms · Esc cancels"), classes="hint")

    def on_mount(self) -> None:
        if self._rows:
            self.query_one(OptionList).focus()
        else:
            self.query_one("#code", Input).focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.query_one("#code", Input).value = str(event.option.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # a click: as Enter on the list
        self.query_one("#code", Input).value = str(event.option.id)
        self.set_focus(self.query_one("#reason", Input))

    def action_enter(self) -> None:
        focused = self.focused
        if isinstance(focused, OptionList) or focused is self.query_one("#code", Input):
            self.set_focus(self.query_one("#reason", Input))
            self.query_one("#code", Input).call_later(self._check_code)
        elif focused is not None:
            focused.call_later(self.submit)
        else:
            self.submit()

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value.strip()

    def _check_code(self) -> None:
        if not self._value("code"):
            self.set_focus(self.query_one("#code", Input))

    def submit(self) -> None:
        code, reason = self._value("code").upper(), self._value("reason")
        if not code:
            self.set_focus(self.query_one("#code", Input))
            return
        if not reason:
            self.query_one(".hint", Static).update(_("A reason is needed: type one."))
            self.set_focus(self.query_one("#reason", Input))
            return
        self.dismiss((code, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)
