"""The counter's actions as Textual key bindings (footer) and command-palette commands."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from clerkdesk.i18n import _
from clerkdesk.palette import command
from clerkdesk.state.actions import COUNTER_ACTIONS, CounterAction
from clerkdesk.state.closing import keys_shown


def key_display(action: CounterAction) -> str:
    return action.keys_shown or f"{action.fkey.upper()} {action.letter}"


def counter_bindings(actions: tuple[CounterAction, ...] = COUNTER_ACTIONS) -> list[Binding]:
    """Built when the screen is made, so the descriptions are in the current language; for
    the person's own actions (`actions_for` their roles)."""
    return [
        Binding(
            f"{a.fkey},{a.letter}",
            a.name,
            _(a.label),
            show=a.footer,
            key_display=key_display(a),
            tooltip=_(a.help),
            id=f"counter.{a.name}",
        )
        for a in actions
    ] + [
        Binding(  # offered by the app to duty leads only
            "d",
            "app.duty_lead",
            _("Duty lead"),
            tooltip=_("Extension requests and overruns waiting for your decision"),
            id="counter.duty_lead",
        )
    ]


def counter_commands(
    screen: Screen[Any], actions: tuple[CounterAction, ...] = COUNTER_ACTIONS
) -> list[SystemCommand]:
    """The actions the counter offers right now, for the command palette, in their own order."""
    return [
        command(
            f"{_(a.label)}  ({key_display(a)})",
            _(a.help),
            partial(screen.run_action, a.name),
        )
        for a in actions
        if screen.check_action(a.name, ()) is True
    ]


EXTEND_ID = "counter.extend"


def action_keys(name: str, keymap: Mapping[str, str]) -> str:
    """An action's keys as the footer and the messages name them: remapped in config.toml's
    [keymap] (binding id = "keys"), or its own."""
    remapped = keymap.get(f"counter.{name}")
    if remapped is not None:
        return keys_shown(remapped)
    return key_display(next(a for a in COUNTER_ACTIONS if a.name == name))


def extend_keys(keymap: Mapping[str, str]) -> str:
    """The extend action's keys as the closing banner names them."""
    return action_keys("extend", keymap)
