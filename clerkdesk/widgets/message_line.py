"""One line to the person at the screen: what just happened, or why not (a refusal)."""

from __future__ import annotations

from textual.widgets import Static


class MessageLine(Static):
    def say(self, text: str, error: bool = False) -> None:
        self.set_class(error, "refusal")
        self.update(text, layout=False)  # one line, always: no screen layout
