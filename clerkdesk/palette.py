"""The command palette: one list, in one order fixed by meaning, in every language.

Textual gathers the palette from several providers at once (the app's and the screen's, kept in
sets) and sorts the app's commands by their translated titles: the order changed with the
language and from one start to the next. Here one provider lists the screen's own commands (a
screen that has any offers them as `palette_commands()`, in the order it wants), then the app's
(`App.get_system_commands`), each in the order given. A search keeps that order among equal
scores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, runtime_checkable

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Provider


@runtime_checkable
class OffersCommands(Protocol):
    """A screen with commands of its own for the palette."""

    def palette_commands(self) -> Iterable[SystemCommand]: ...


def command(title: str, help: str, run: Callable[[], object]) -> SystemCommand:
    return SystemCommand(title, help, run)


class WorkstationCommands(Provider):
    """The screen's commands, then the app's, in their own order."""

    def _commands(self) -> list[SystemCommand]:
        screen = self.screen
        found = list(screen.palette_commands()) if isinstance(screen, OffersCommands) else []
        found += self.app.get_system_commands(screen)
        return [c for c in found if c.discover]

    async def discover(self) -> Hits:
        for title, help, run, _discover in self._commands():
            yield DiscoveryHit(title, run, help=help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help, run, _discover in self._commands():
            score = max(matcher.match(title), matcher.match(help))
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help)
