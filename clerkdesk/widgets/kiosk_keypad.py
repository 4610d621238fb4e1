"""The kiosk's keypad for a touch screen: big keys for digits (and letters where a ticket's
number has one), delete and OK, posting what was tapped; and the line that shows what has been
typed so far."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid
from textual.message import Message
from textual.widgets import Static

from clerkdesk.i18n import _
from clerkdesk.widgets.kiosk_keys import BigKey

DELETE, OK = "delete", "ok"
DIGITS = "1234567890"


class Keypad(Grid):
    DEFAULT_CSS = """
    Keypad { grid-gutter: 0 1; height: 1fr; }
    Keypad BigKey { content-align: center middle; min-height: 3; }
    """

    class Tapped(Message):
        def __init__(self, value: str) -> None:
            super().__init__()
            self.value = value

    def __init__(self, letters: Sequence[str] = (), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.letters = list(letters)
        keys = len(self.letters) + len(DIGITS) + 2
        self.styles.grid_size_columns = max(4, -(-keys // 4))  # four rows at most

    def compose(self) -> ComposeResult:
        for letter in self.letters:
            yield BigKey("", letter, value=letter, id=f"key-{letter}")
        for digit in DIGITS:
            yield BigKey("", digit, value=digit, id=f"key-{digit}")
        yield BigKey("", _("Delete"), value=DELETE, id="key-delete")
        yield BigKey("", _("OK"), value=OK, id="key-ok", classes="-green")

    def on_big_key_pressed(self, event: BigKey.Pressed) -> None:
        event.stop()
        self.post_message(self.Tapped(event.key.value))


class EntryLine(Static):
    """What has been typed, in large spaced characters, or the placeholder."""

    DEFAULT_CSS = """
    EntryLine { height: 3; border: tall $primary; padding: 0 1; content-align: left middle; }
    """

    def show(self, typed: str, placeholder: str) -> None:
        if typed:
            self.update(Text(" ".join(typed), style="bold"))
        else:
            self.update(Text(placeholder, style="italic"))
