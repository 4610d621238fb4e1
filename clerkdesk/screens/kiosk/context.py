"""What every kiosk screen shares: the link to the hall, the printer, the settings, the idle
timer, and the messages the screens send up to the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message
from textual.screen import Screen

from clerkdesk.printing.printers import Printer
from clerkdesk.state.kiosk import Idle, KioskDesk, KioskSettings

BACKOFF = (0.5, 1.0, 2.0, 5.0)
PRINT_TIMEOUT_S = 20.0


@dataclass
class KioskContext:
    desk: KioskDesk
    printer: Printer
    settings: KioskSettings
    idle: Idle
    backoff: tuple[float, ...] = BACKOFF
    print_timeout_s: float = PRINT_TIMEOUT_S
    cancelled: list[str] = field(default_factory=list)
    """Tickets cancelled for a failed print, by code (the kiosk's log; tests read it)."""


class GoHome(Message):
    """Back to the home screen (a ticket taken, a timeout, Esc)."""


class CancelFailedPrint(Message):
    """A ticket could not be printed or shown: the app cancels it (and keeps trying while the
    hall does not answer), whatever screen shows next."""

    def __init__(self, ticket_id: int, code: str) -> None:
        super().__init__()
        self.ticket_id, self.code = ticket_id, code


def gone(screen: Screen[Any]) -> bool:
    return (
        not screen.is_attached or not screen.app.is_running or screen not in screen.app.screen_stack
    )
