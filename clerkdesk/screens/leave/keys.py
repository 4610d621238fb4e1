"""My leave's actions as key bindings (footer) and command-palette commands."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from clerkdesk.i18n import N_, _
from clerkdesk.palette import command


@dataclass(frozen=True)
class LeaveAction:
    name: str  # the screen's action_<name>, also the binding id "leave.<name>"
    key: str
    label: str  # N_-marked: translated when shown
    help: str  # N_-marked: the command palette's longer description


LEAVE_ACTIONS: tuple[LeaveAction, ...] = (
    LeaveAction(
        "ask", "a", N_("Ask for leave"), N_("Ask your duty lead for leave: dates or hours")
    ),
    LeaveAction(
        "cancel_request", "c", N_("Cancel request"), N_("Cancel the highlighted leave request")
    ),
)
LEAVE_ACTION_NAMES = frozenset(a.name for a in LEAVE_ACTIONS)


def leave_bindings(back: str) -> list[Binding]:
    """Built when the screen is made, so the descriptions are in the current language; `back`
    names where Esc goes (the counter, the window picker or the duty lead's screen)."""
    return [
        *(
            Binding(a.key, a.name, _(a.label), tooltip=_(a.help), id=f"leave.{a.name}")
            for a in LEAVE_ACTIONS
        ),
        Binding("escape", "back", back, key_display="Esc", id="leave.back"),
        Binding("tab", "app.focus_next", show=False),  # between the requests and the ledger
        Binding("shift+tab", "app.focus_previous", show=False),
    ]


def leave_commands(screen: Screen[Any]) -> list[SystemCommand]:
    """The actions My leave offers right now, for the command palette, in order."""
    return [
        command(f"{_(a.label)}  ({a.key})", _(a.help), partial(screen.run_action, a.name))
        for a in LEAVE_ACTIONS
        if screen.check_action(a.name, ()) is True
    ]
