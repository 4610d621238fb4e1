"""Issuing a ticket at the workstation (a lead or an admin; a one-window office has no kiosk):
which service. The hall gives the number."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from clerkdesk.i18n import _
from clerkdesk.screens.dialogs import DIALOG_CSS, Dialog


class IssueDialog(Dialog[str | None]):
    """The services (`choices`: code and how it reads, this window's first); arrows + Enter,
    or the option's digit; Escape cancels. Answers the service's code."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="IssueDialog")
        + """
    IssueDialog OptionList { height: auto; max-height: 12; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", show=False),
        *(Binding(str(i), f"pick({i - 1})", show=False) for i in range(1, 10)),
    ]

    def __init__(self, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self._choices = choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Issue a ticket: for which service?"), classes="question")
            yield OptionList(
                *[
                    Option(f"{i}  {text}" if i <= 9 else f"   {text}", id=code)
                    for i, (code, text) in enumerate(self._choices, 1)
                ],
                id="services",
            )
            yield Static(_("Enter confirms · Esc cancels"), classes="hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(str(event.option.id))

    def action_pick(self, index: int) -> None:
        if index < len(self._choices):
            self.dismiss(self._choices[index][0])

    def action_cancel(self) -> None:
        self.dismiss(None)
