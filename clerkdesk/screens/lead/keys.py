"""The duty lead's decisions as key bindings (footer) and command-palette commands."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from clerkdesk.i18n import N_, _
from clerkdesk.palette import command
from clerkdesk.state.lead import LEAD_ACTIONS

# Tab and Shift+Tab move between the tables (the app's own bindings replace Textual's): to the
# claims and leave requests, whose `a` and `d` decide there, and to the overruns.
TABLE_KEYS = [
    Binding("tab", "app.focus_next", show=False),
    Binding("shift+tab", "app.focus_previous", show=False),
]


# The boards beside the inbox (clerkdesk.state.lead_views): (action, key, label, help).
VIEW_KEYS: tuple[tuple[str, str, str, str], ...] = (
    (
        "show_balances",
        "b",
        N_("Balances"),
        N_("The department's comp-leave balances (again: today's decisions)"),
    ),
    (
        "show_handoffs",
        "h",
        N_("Hand-offs"),
        N_("The open hand-offs and how long each has waited (again: today's decisions)"),
    ),
)


def lead_bindings(back: str) -> list[Binding]:
    """Built when the screen is made, so the descriptions are in the current language; `back`
    names where Esc goes (the counter or the window picker)."""
    return [
        *(
            Binding(a.key, a.name, _(a.label), tooltip=_(a.help), id=f"lead.{a.name}")
            for a in LEAD_ACTIONS
        ),
        *(
            Binding(key, action, _(label), tooltip=_(help), id=f"lead.{action}")
            for action, key, label, help in VIEW_KEYS
        ),
        Binding("escape", "back", back, key_display="Esc", id="lead.back"),
        *TABLE_KEYS,
    ]


VIEW_ACTIONS = frozenset(action for action, _key, _label, _help in VIEW_KEYS)


def view_keys(screen: Screen[Any], action: str) -> str:
    """The keys of a board's action as the screen names them (remapped in [keymap], or its
    own)."""
    keymap: Mapping[str, str] = getattr(screen.app, "keymap", {}) or {}
    remapped = keymap.get(f"lead.{action}")
    if remapped is not None:
        return ",".join(part.strip() for part in remapped.split(","))
    return next(key for name, key, _label, _help in VIEW_KEYS if name == action)


def lead_commands(screen: Screen[Any]) -> list[SystemCommand]:
    """The decisions the lead screen offers right now, for the command palette, in order."""
    return [
        *(
            command(f"{_(a.label)}  ({a.key})", _(a.help), partial(screen.run_action, a.name))
            for a in LEAD_ACTIONS
            if screen.check_action(a.name, ()) is True
        ),
        *(
            command(f"{_(label)}  ({key})", _(help), partial(screen.run_action, action))
            for action, key, label, help in VIEW_KEYS
        ),
    ]
