"""From an issued ticket to the citizen's hand: printing (正在出票), then the ticket on the screen
(its number, service, time, people ahead and the QR code of its status link), or, when it could
not be printed or shown, the apology: 打印失败，请联系工作人员. A ticket that did not come out is
cancelled (reason `print_failed`: the app sends it and keeps trying while the hall does not
answer), so no ghost waits in the queue for a citizen who holds nothing.

Any key or tap goes back to the home screen, from a second after the screen came (the second
tap of a double tap must not take the ticket off the screen); so does the idle timeout.
"""

from __future__ import annotations

import asyncio

from textual import events
from textual.app import ComposeResult
from textual.containers import Center, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from clerkdesk.api import schemas as w
from clerkdesk.api.errors import HallClientError
from clerkdesk.i18n import _
from clerkdesk.printing.printers import PrintFailed
from clerkdesk.printing.ticket import PrintedTicket, info_lines, qr_matrix
from clerkdesk.screens.kiosk.context import CancelFailedPrint, GoHome, KioskContext, gone
from clerkdesk.widgets.qr_code import QrCode
from clerkdesk.widgets.ticket_number import TicketNumber

STRAY_TAP_S = 1.0
"""Keys and taps this soon after a screen came are the end of the tap that brought it."""


class PrintingScreen(Screen[None]):
    DEFAULT_CSS = """
    PrintingScreen { align: center middle; }
    PrintingScreen Static { width: auto; text-style: bold; }
    """

    def __init__(self, kiosk: KioskContext, ticket: w.TicketOut, department_name: str) -> None:
        super().__init__()
        self.kiosk, self.ticket, self.department_name = kiosk, ticket, department_name
        self.printed: PrintedTicket | None = None

    def compose(self) -> ComposeResult:
        yield Static(_("Printing your ticket {code}…").format(code=self.ticket.code))

    def on_mount(self) -> None:
        self.run_worker(self._print(), group="print", exclusive=True)

    async def _slip_ticket(self) -> PrintedTicket:
        """The slip from the hall; without it (no answer) the ticket still carries its number,
        service and time."""
        desk, ticket = self.kiosk.desk, self.ticket
        local = ticket.issued_at.astimezone(desk.zone)
        green = ticket.priority is w.Priority.green_channel
        slot = ticket.appointment_at.astimezone(desk.zone) if ticket.appointment_at else None
        try:
            slip = await desk.slip(ticket.id)
        except HallClientError:
            return PrintedTicket(
                desk.hall_name,
                ticket.code,
                ticket.service_name,
                self.department_name,
                local,
                None,
                "",
                green,
                slot,
            )
        return PrintedTicket(
            desk.hall_name,
            slip.code,
            slip.service_name,
            slip.department_name,
            local,
            slip.people_ahead,
            desk.status_link(slip.status_path),
            green,
            slot,
        )

    async def _print(self) -> None:
        printed = await self._slip_ticket()
        self.printed = printed
        printer = self.kiosk.printer
        try:
            matrix = qr_matrix(printed.status_url) if printed.status_url else None
            await asyncio.wait_for(
                asyncio.to_thread(printer.print_ticket, printed), self.kiosk.print_timeout_s
            )
        except Exception as exc:  # whatever stopped it, the ticket must not wait for nobody
            reason = str(exc) if isinstance(exc, PrintFailed) else type(exc).__name__
            self.log.warning(f"ticket {self.ticket.code} not printed: {reason}")
            self.app.post_message(CancelFailedPrint(self.ticket.id, self.ticket.code))
            if not gone(self):
                self.app.switch_screen(PrintFailedScreen(self.kiosk, self.ticket.code))
            return
        if not gone(self):
            self.app.switch_screen(TicketScreen(self.kiosk, printed, matrix, printer.prints))


class _Dismissable(Screen[None]):
    """Any key or tap goes home, from `STRAY_TAP_S` after the screen came."""

    def __init__(self, kiosk: KioskContext) -> None:
        super().__init__()
        self.kiosk = kiosk
        self.came = kiosk.idle.monotonic()

    def _home(self) -> None:
        if self.kiosk.idle.monotonic() - self.came >= STRAY_TAP_S:
            self.post_message(GoHome())

    def on_key(self, event: events.Key) -> None:
        event.stop()
        self._home()

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self._home()


class TicketScreen(_Dismissable):
    DEFAULT_CSS = """
    TicketScreen { align: center middle; }
    TicketScreen #title { width: 100%; height: auto; content-align: center middle;
        text-style: bold; color: $text-success; }
    TicketScreen #ticket { width: auto; height: auto; }
    TicketScreen #info { width: auto; min-width: 30; height: auto; padding: 0 2; }
    TicketScreen TicketNumber { width: auto; min-width: 20; height: auto; color: $text-primary; }
    TicketScreen #hint { width: 100%; height: auto; content-align: center middle;
        color: $text-muted; }
    TicketScreen QrCode { margin: 0 1; }
    """

    def __init__(
        self,
        kiosk: KioskContext,
        printed: PrintedTicket,
        matrix: list[list[bool]] | None,
        on_paper: bool,
    ) -> None:
        super().__init__(kiosk)
        self.printed, self.matrix, self.on_paper = printed, matrix, on_paper

    def compose(self) -> ComposeResult:
        if self.on_paper:
            title = _("Please take your ticket")
        else:
            title = _("Your number: please remember it (or take a photo)")
        yield Static(title, id="title")
        with Center(), Horizontal(id="ticket"):
            with Vertical(id="info"):
                yield TicketNumber(id="number")
                yield Static("\n".join(info_lines(self.printed)), id="lines")
            if self.matrix is not None:
                yield QrCode(self.matrix, id="qr")
        hint = _("Scan the code to follow your ticket. Any key: back to the start.")
        if self.matrix is None:
            hint = _("Any key: back to the start.")
        yield Static(hint, id="hint")

    def on_mount(self) -> None:
        self.query_one(TicketNumber).code = self.printed.code


class PrintFailedScreen(_Dismissable):
    DEFAULT_CSS = """
    PrintFailedScreen { align: center middle; }
    PrintFailedScreen Vertical { width: 70; max-width: 100%; height: auto;
        border: thick $error; padding: 1 2; background: $surface; }
    PrintFailedScreen #sorry { text-style: bold; color: $text-error; height: auto; }
    PrintFailedScreen #what { height: auto; margin-top: 1; }
    """

    def __init__(self, kiosk: KioskContext, code: str) -> None:
        super().__init__(kiosk)
        self.code = code

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Printing failed: please ask the staff."), id="sorry")
            yield Static(
                _(
                    "Number {code} did not come out and is cancelled: it will not be called. "
                    "Any key: back to the start."
                ).format(code=self.code),
                id="what",
            )
