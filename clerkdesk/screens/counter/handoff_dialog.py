"""The hand-off dialog (转办): where the case goes (a service of another department, a window or
a clerk) and the required note; the chain dialog: every move of a handed-over ticket."""

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
from clerkdesk.state.handoff import Target

TO_WINDOW = "=window"  # option ids that cannot be service codes
TO_CLERK = "=clerk"


class HandOffDialog(Dialog[Target | None]):
    """The services of the other departments, then "a window…" and "a clerk…" (their number
    typed below), and the note. Enter moves on from the list and the number and sends from the
    note; Escape cancels."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="HandOffDialog")
        + """
    HandOffDialog OptionList { height: auto; max-height: 6; margin-bottom: 1; }
    HandOffDialog .number { display: none; }
    HandOffDialog.numbered .number { display: block; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False), *FORM_KEYS]

    def __init__(self, code: str, services: list[tuple[str, str]]) -> None:
        super().__init__()
        self._code, self._services = code, services

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                _("Hand {ticket} off: the citizen keeps the number").format(ticket=self._code),
                classes="question",
            )
            yield OptionList(
                *[Option(text, id=code) for code, text in self._services],
                Option(_("A window… (type its number)"), id=TO_WINDOW),
                Option(_("A clerk… (type the staff number)"), id=TO_CLERK),
                id="targets",
            )
            yield Label(_("Window or staff number"), classes="number")
            yield Input("", id="number", max_length=16, classes="number")
            yield Label(_("Note: what was done, what is missing"))
            yield Input("", id="note", max_length=500)
            yield Static(_("Enter confirms · Esc cancels"), classes="hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def _target(self) -> str:
        options = self.query_one(OptionList)
        index = options.highlighted if options.highlighted is not None else 0
        return str(options.get_option_at_index(index).id)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        # the number field shows for a window or a clerk (the dialog still fits 80x24)
        self.set_class(str(event.option.id) in (TO_WINDOW, TO_CLERK), "numbered")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # a click: as Enter on the list
        self._next_field()

    def _next_field(self) -> None:
        numbered = self._target() in (TO_WINDOW, TO_CLERK)
        self.set_focus(self.query_one("#number" if numbered else "#note", Input))

    def action_enter(self) -> None:
        focused = self.focused
        if isinstance(focused, OptionList):
            focused.call_later(self._next_field)  # once the list has taken the keys before
        elif focused is self.query_one("#number", Input):
            self.set_focus(self.query_one("#note", Input))
        elif focused is not None:
            focused.call_later(self.submit)
        else:
            self.submit()

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value.strip()

    def _hint(self, text: str, field: str) -> None:
        self.query_one(".hint", Static).update(text)
        self.set_focus(self.query_one(f"#{field}", Input))

    def submit(self) -> None:
        target, number, note = self._target(), self._value("number"), self._value("note")
        if target == TO_WINDOW and not number.isdigit():
            self._hint(_("Type the window's number."), "number")
            return
        if target == TO_CLERK and not number:
            self._hint(_("Type the clerk's staff number."), "number")
            return
        if not note:
            self._hint(_("A note is needed: what was done, what is missing."), "note")
            return
        if target == TO_WINDOW:
            self.dismiss(Target(note, window=int(number)))
        elif target == TO_CLERK:
            self.dismiss(Target(note, staff_no=number))
        else:
            self.dismiss(Target(note, service=target))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChainDialog(Dialog[None]):
    """Every move of a handed-over ticket, oldest first; any of Enter and Escape closes it."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="ChainDialog")
        + """
    ChainDialog > Vertical { width: 100; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "close", show=False)]

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self._lines = lines

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self._lines[0], classes="question")
            yield Static("\n".join(f"{i}. {line}" for i, line in enumerate(self._lines[1:], 1)))
            yield Static(_("Enter or Esc closes"), classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)


class BackToMeDialog(Dialog[int | None]):
    """Which of my open hand-offs to ask back (`rows`: hand-off id and how it reads), the
    latest first; Enter asks, Escape cancels."""

    DEFAULT_CSS = DIALOG_CSS.format(name="BackToMeDialog")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, rows: list[tuple[int, str]]) -> None:
        super().__init__()
        self._rows = rows

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Ask which case back? It returns once they finish it."))
            yield OptionList(*[Option(text, id=str(i)) for i, text in self._rows], id="moves")
            yield Static(_("Enter confirms · Esc cancels"), classes="hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(str(event.option.id)))

    def action_cancel(self) -> None:
        self.dismiss(None)
