"""The kiosk coming up: it signs in to the hall with the kiosk role, trying again while the hall
does not answer; a sign-in the hall refuses (a wrong password, a staff number without the kiosk
role) is said for the staff, who fix the kiosk's config."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from clerkdesk.api.errors import ApiError, HallUnreachable
from clerkdesk.i18n import _
from clerkdesk.screens.kiosk.context import KioskContext, gone
from clerkdesk.state.kiosk import NotAKiosk
from clerkdesk.state.refusals import explain

REFUSED_RETRY_S = 60.0
"""A refused sign-in is tried again this often (an admin may fix the password meanwhile)."""


class KioskStartScreen(Screen[None]):
    DEFAULT_CSS = """
    KioskStartScreen { align: center middle; }
    KioskStartScreen Static { width: 70; max-width: 100%; height: auto; padding: 1 2; }
    KioskStartScreen Static.-refusal { color: $text-error; border: thick $error; }
    """

    def __init__(self, kiosk: KioskContext, signed_in: Callable[[], None]) -> None:
        super().__init__()
        self.kiosk, self.signed_in = kiosk, signed_in

    def compose(self) -> ComposeResult:
        server = self.kiosk.desk.url
        yield Static(
            _("The kiosk is connecting to the hall service at {server}…").format(server=server)
        )

    def on_mount(self) -> None:
        self.run_worker(self._sign_in(), group="sign-in", exclusive=True)

    def _say(self, text: str, refusal: bool) -> None:
        if not gone(self):
            line = self.query_one(Static)
            line.set_class(refusal, "-refusal")
            line.update(text)

    async def _sign_in(self) -> None:
        desk = self.kiosk.desk
        backoff = self.kiosk.backoff
        for delay in itertools.chain(backoff, itertools.repeat(backoff[-1])):
            try:
                await desk.sign_in()
            except HallUnreachable as exc:
                self._say(
                    _(
                        "The hall service at {server} does not answer ({reason}); trying again."
                    ).format(server=desk.url, reason=exc.reason),
                    True,
                )
                await asyncio.sleep(delay)
                continue
            except NotAKiosk as exc:
                self._say(
                    _(
                        "{staff_no} has no kiosk role: set [kiosk] staff_no in the config file "
                        "to the kiosk's staff number (an admin grants the role)."
                    ).format(staff_no=exc.staff_no),
                    True,
                )
                return
            except ApiError as exc:
                self._say(
                    _("The hall refused the kiosk's sign-in as {staff_no}: {reason}").format(
                        staff_no=desk.staff_no, reason=explain(exc, desk.zone)
                    ),
                    True,
                )
                await asyncio.sleep(REFUSED_RETRY_S)
                continue
            if not gone(self):
                self.signed_in()
            return
