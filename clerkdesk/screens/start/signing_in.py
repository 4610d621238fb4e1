"""While the workstation signs in by itself (the demo, the first start): who is signing in where.

A screen of one line on purpose: it shows for a fraction of a second, and the sign-in form it
replaces cost about 60 ms of a 1 s start to build, style and draw. A refused sign-in goes to
the sign-in form, with the reason."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from clerkdesk.i18n import _


class SigningInScreen(Screen[None]):
    DEFAULT_CSS = """
    SigningInScreen { align: center middle; }
    SigningInScreen #signing-in { width: auto; height: auto; padding: 1 2; }
    """

    def __init__(self, staff_no: str, server_label: str) -> None:
        super().__init__()
        self._staff_no = staff_no
        self._server_label = server_label

    def compose(self) -> ComposeResult:
        yield Static(
            _("Signing in as {staff_no} at {hall}…").format(
                staff_no=self._staff_no, hall=self._server_label
            ),
            id="signing-in",
        )
