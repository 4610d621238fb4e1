"""The hall monitor's keys (footer) and its command-palette commands."""

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
class MonitorAction:
    name: str
    key: str
    label: str  # N_-marked
    help: str  # N_-marked


MONITOR_ACTIONS = (
    MonitorAction(
        "open_tide",
        "t",
        N_("Tide window"),
        N_("Re-point a window to a congested service, or open a reserve window"),
    ),
    MonitorAction(
        "end_tide",
        "u",
        N_("Revoke tide"),
        N_("The highlighted window calls its own services again"),
    ),
    MonitorAction(
        "day_report",
        "d",
        N_("Day report"),
        N_("Per service and per window: served, waits, same-day rate, tide share"),
    ),
    MonitorAction("reload", "r", N_("Reload"), N_("Read the hall again")),
)
MONITOR_ACTION_NAMES = frozenset(a.name for a in MONITOR_ACTIONS)


def monitor_bindings(back: str) -> list[Binding]:
    return [
        *(
            Binding(a.key, a.name, _(a.label), tooltip=_(a.help), id=f"monitor.{a.name}")
            for a in MONITOR_ACTIONS
        ),
        Binding("escape", "back", back, key_display="Esc", id="monitor.back"),
    ]


def monitor_commands(screen: Screen[Any]) -> list[SystemCommand]:
    return [
        command(f"{_(a.label)}  ({a.key})", _(a.help), partial(screen.run_action, a.name))
        for a in MONITOR_ACTIONS
        if screen.check_action(a.name, ()) is True
    ]
