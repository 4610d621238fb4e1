"""The counter's actions as Textual key bindings (footer) and command-palette commands."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from clerkdesk.i18n import _
from clerkdesk.state.actions import COUNTER_ACTIONS, CounterAction
from clerkdesk.state.closing import keys_shown


def key_display(action: CounterAction) -> str:
    return f"{action.fkey.upper()} {action.letter}"


def counter_bindings() -> list[Binding]:
    """Built when the screen is made, so the descriptions are in the current language."""
    return [
        Binding(
            f"{a.fkey},{a.letter}",
            a.name,
            _(a.label),
            key_display=key_display(a),
            tooltip=_(a.help),
            id=f"counter.{a.name}",
        )
        for a in COUNTER_ACTIONS
    ] + [
        Binding(  # offered by the app to duty leads only
            "d",
            "app.duty_lead",
            _("Duty lead"),
            tooltip=_("Extension requests and overruns waiting for your decision"),
            id="counter.duty_lead",
        )
    ]


class CounterCommands(Provider):
    """The actions the counter offers right now, in the command palette."""

    def _offered(self) -> list[tuple[str, CounterAction]]:
        screen = self.screen
        return [
            (f"{_(a.label)}  ({key_display(a)})", a)
            for a in COUNTER_ACTIONS
            if screen.check_action(a.name, ()) is True
        ]

    async def discover(self) -> Hits:
        for text, action in self._offered():
            yield DiscoveryHit(
                text, partial(self.screen.run_action, action.name), help=_(action.help)
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, action in self._offered():
            score = max(matcher.match(text), matcher.match(_(action.help)))
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(text),
                    partial(self.screen.run_action, action.name),
                    help=_(action.help),
                )


EXTEND_ID = "counter.extend"


def extend_keys(keymap: Mapping[str, str]) -> str:
    """The extend action's keys as the closing banner names them: remapped in config.toml's
    [keymap] (binding id = "keys"), or its own."""
    if EXTEND_ID in keymap:
        return keys_shown(keymap[EXTEND_ID])
    return key_display(next(a for a in COUNTER_ACTIONS if a.name == "extend"))
