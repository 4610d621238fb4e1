"""The green channel's confirmation (绿色通道): for elderly and disabled citizens, who are called
before the ordinary queue. The kiosk asks before it issues such a ticket; the staff may check at
the window. Enter or 1 confirms, Esc or 2 goes back."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from clerkdesk.i18n import _
from clerkdesk.widgets.kiosk_keys import BigKey


class GreenChannelScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    GreenChannelScreen { align: center middle; }
    GreenChannelScreen #box {
        width: 70; max-width: 100%; height: auto; max-height: 100%;
        border: thick $success; background: $surface; padding: 1 2;
    }
    GreenChannelScreen #title { text-style: bold; color: $text-success; height: auto; }
    GreenChannelScreen #text { height: auto; margin: 1 0; }
    GreenChannelScreen #answers { height: 4; }
    GreenChannelScreen #answers BigKey { margin-right: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "confirm", show=False),
        Binding("1", "confirm", show=False),
        Binding("escape", "back", show=False),
        Binding("2", "back", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Static(_("Green channel"), id="title")
            yield Static(
                _(
                    "For elderly and disabled citizens: the ticket is called before the "
                    "ordinary queue. The staff may ask to see a certificate at the window."
                ),
                id="text",
            )
            with Horizontal(id="answers"):
                yield BigKey("1", _("Yes, green channel"), id="confirm", classes="-green")
                yield BigKey("2", _("Back"), id="back")

    def on_big_key_pressed(self, event: BigKey.Pressed) -> None:
        self.dismiss(event.key.id == "confirm")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
