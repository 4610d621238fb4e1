"""A QR code on the screen, in Unicode half blocks (two modules a row of text), always dark
modules on a light ground whatever the theme: a phone's camera reads it off the kiosk's
screen as it reads the printed one."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from clerkdesk.printing.ticket import half_blocks

DARK_ON_LIGHT = Style(color="#000000", bgcolor="#ffffff")


def qr_text(matrix: list[list[bool]]) -> Text:
    return Text("\n".join(half_blocks(matrix)), style=DARK_ON_LIGHT, no_wrap=True)


class QrCode(Static):
    DEFAULT_CSS = """
    QrCode { width: auto; height: auto; }
    """

    def __init__(self, matrix: list[list[bool]], *, id: str | None = None) -> None:
        super().__init__(qr_text(matrix), id=id)
        self.modules = len(matrix)
