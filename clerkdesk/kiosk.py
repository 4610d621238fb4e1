"""The ticket kiosk (取号机): a full-screen app for the touch screen at the hall's entrance, signed
in with the kiosk role. Home lists the services open now with their queues; a tap (or a number
key) issues a ticket, prints it and shows it; the green channel serves the elderly and disabled.

The app moves between screens; the screens talk to the hall through `KioskDesk`. After
`idle_seconds` without a tap or a key every screen goes back to the home screen, and the home
screen back to its first page without the green channel. A ticket that could not be printed or
shown is cancelled here, whatever the screen: the app keeps trying while the hall does not
answer, so no ghost waits in the queue.
"""

from __future__ import annotations

import asyncio
import itertools

from textual import events
from textual.app import App
from textual.binding import Binding

from clerkdesk.api.errors import ApiError, HallUnreachable
from clerkdesk.screens.kiosk import (
    CancelFailedPrint,
    GoHome,
    KioskContext,
    KioskHomeScreen,
    KioskStartScreen,
)
from clerkdesk.theming import pick_theme, register_themes
from clerkdesk.widgets.line_breaks import use_cjk_line_breaks

IDLE_CHECK_S = 1.0


class KioskApp(App[None]):
    TITLE = "ClerkDesk kiosk"
    ENABLE_COMMAND_PALETTE = False  # citizens use it: no palette, no theme picker
    BINDINGS = [Binding("ctrl+q", "quit", show=False, priority=True)]  # noqa: RUF012

    def __init__(self, kiosk: KioskContext, *, theme: str = "clerkdesk-light") -> None:
        super().__init__()
        use_cjk_line_breaks()  # as the workstation: "取号至 17:10" is never parted
        self.theme_problems = register_themes(self)
        self.theme = pick_theme(self, theme)
        self.kiosk = kiosk
        self.home_screen: KioskHomeScreen | None = None

    def on_mount(self) -> None:
        self.push_screen(KioskStartScreen(self.kiosk, self.show_home))
        self.set_interval(IDLE_CHECK_S, self.go_home_when_idle)

    def show_home(self) -> None:
        self.home_screen = KioskHomeScreen(self.kiosk)
        self.switch_screen(self.home_screen)

    # --- going back home ---------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self.kiosk.idle.touch()
        await super().on_event(event)

    def on_go_home(self, _message: GoHome) -> None:
        self.go_home()

    def go_home(self) -> None:
        home = self.home_screen
        if home is None or home not in self.screen_stack:
            return
        while self.screen is not home:
            self.pop_screen()

    def go_home_when_idle(self) -> None:
        """After the idle time: home, and home as it starts (first page, no green channel)."""
        home = self.home_screen
        if home is None or not self.kiosk.idle.expired():
            return
        if self.screen is not home:
            self.go_home()
        home.idle_reset()

    # --- a ticket that did not come out ----------------------------------------------------

    def on_cancel_failed_print(self, message: CancelFailedPrint) -> None:
        self.run_worker(self._cancel(message.ticket_id, message.code), group="cancel")

    async def _cancel(self, ticket_id: int, code: str) -> None:
        backoff = self.kiosk.backoff
        for delay in itertools.chain(backoff, itertools.repeat(backoff[-1])):
            try:
                await self.kiosk.desk.cancel_failed_print(ticket_id)
            except HallUnreachable:
                await asyncio.sleep(delay)
                continue
            except ApiError as exc:  # called meanwhile, or cancelled already: no ghost left
                self.log.warning(f"ticket {code} not cancelled: {exc.code}")
                return
            self.kiosk.cancelled.append(code)
            return
