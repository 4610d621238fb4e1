"""The kiosk's big keys: a touch screen's buttons, each with the number or letter a keyboard
presses for it. A key says what it does in large letters and, below, a line or two of detail
(the queue, the cutoff). A click anywhere on it presses it."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static


class BigKey(Static):
    DEFAULT_CSS = """
    BigKey {
        height: 1fr;
        min-height: 3;
        width: 1fr;
        border: tall $primary;
        background: $surface;
        padding: 0 1;
        content-align: left middle;
    }
    BigKey:hover { background: $boost; border: tall $accent; }
    BigKey.-closed { border: tall $panel-lighten-2; color: $text-muted; }
    BigKey.-green { border: tall $success; }
    BigKey.-wide { content-align: center middle; }
    """

    class Pressed(Message):
        def __init__(self, key: BigKey) -> None:
            super().__init__()
            self.key = key

    def __init__(
        self,
        key_label: str,
        title: str,
        detail: str = "",
        *,
        value: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__("", id=id, classes=classes)
        self.key_label, self.title, self.detail, self.value = key_label, title, detail, value
        self.show(title, detail)

    def show(self, title: str, detail: str = "", key_label: str | None = None) -> None:
        self.title, self.detail = title, detail
        if key_label is not None:
            self.key_label = key_label
        text = Text()
        if self.key_label:
            text.append(f"{self.key_label} ", style="bold reverse")
            text.append(" ")
        text.append(title, style="bold")
        if detail:
            text.append("\n")
            text.append(detail)
        self.update(text)

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.Pressed(self))
