"""The duty lead's decisions as key bindings (footer) and command-palette commands."""

from __future__ import annotations

from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from clerkdesk.i18n import _
from clerkdesk.state.lead import LEAD_ACTIONS, LeadAction


def lead_bindings(back: str) -> list[Binding]:
    """Built when the screen is made, so the descriptions are in the current language; `back`
    names where Esc goes (the counter or the window picker)."""
    return [
        *(
            Binding(a.key, a.name, _(a.label), tooltip=_(a.help), id=f"lead.{a.name}")
            for a in LEAD_ACTIONS
        ),
        Binding("escape", "back", back, key_display="Esc", id="lead.back"),
    ]


class LeadCommands(Provider):
    """The decisions the lead screen offers right now, in the command palette."""

    def _offered(self) -> list[tuple[str, LeadAction]]:
        return [
            (f"{_(a.label)}  ({a.key})", a)
            for a in LEAD_ACTIONS
            if self.screen.check_action(a.name, ()) is True
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
                run = partial(self.screen.run_action, action.name)
                yield Hit(score, matcher.highlight(text), run, help=_(action.help))
