"""The kiosk's home (取号): the services open now, each with its queue and what a new arrival
can expect, nine to a page; a service past its cutoff says why and when it issues again; the
green channel (绿色通道) for the elderly and disabled, after a confirmation. Number keys 1-9 pick
a service, 0 turns the page, g opens the green channel, Esc leaves it; a touch screen taps the
same keys.

A tap issues the ticket. Every tap on the same choice during one stay on this screen sends the
same Idempotency-Key (`TapSession`): a double tap, or a tap again after an answer that got
lost, issues one ticket. The first answer moves on to printing; later answers of the stay are
the same ticket and change nothing.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal
from textual.screen import Screen
from textual.widgets import Static

from clerkdesk.api import appointment_schemas as aw
from clerkdesk.api import kiosk_schemas as kw
from clerkdesk.api import schemas as w
from clerkdesk.api.errors import ApiError, HallClientError, HallUnreachable
from clerkdesk.i18n import _
from clerkdesk.screens.kiosk.context import KioskContext, gone
from clerkdesk.state.kiosk import (
    PER_PAGE,
    TapSession,
    closed_lines,
    closed_words,
    cutoff_words,
    hall_closed_words,
    on_page,
    pages,
    refusal_words,
    wait_words,
)
from clerkdesk.state.leave_words import WEEKDAYS
from clerkdesk.state.refusals import explain
from clerkdesk.widgets.kiosk_keys import BigKey

MORE_KEYS = (("0", "next-page"), ("G", "green"), ("B", "book"), ("C", "check-in"), ("R", "rate"))
WIDE = 100
"""From this many columns on, the keys below the services say a word more."""


class KioskHomeScreen(Screen[None]):
    DEFAULT_CSS = """
    KioskHomeScreen { background: $background; }
    KioskHomeScreen #header { height: 1; padding: 0 1; background: $primary; color: $text; }
    KioskHomeScreen #hall-name { width: 1fr; text-style: bold; }
    KioskHomeScreen #clock { width: auto; text-style: bold; }
    KioskHomeScreen #banner {
        height: auto; padding: 0 1; background: $warning-muted; color: $text-warning;
        display: none;
    }
    KioskHomeScreen #banner.-green { background: $success-muted; color: $text-success; }
    KioskHomeScreen #banner.-shown { display: block; }
    KioskHomeScreen #services { grid-size: 3 3; grid-gutter: 0 1; height: 1fr; padding: 0 1; }
    KioskHomeScreen #more-keys { height: 4; padding: 0 1; }
    KioskHomeScreen #more-keys BigKey { margin-right: 1; }
    KioskHomeScreen #message { height: 2; padding: 0 1; }
    KioskHomeScreen #message.-refusal { color: $text-error; text-style: bold; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"pick({n})", show=False) for n in range(1, PER_PAGE + 1)),
        Binding("0", "next_page", show=False),
        Binding("pagedown", "next_page", show=False),
        Binding("pageup", "previous_page", show=False),
        Binding("g", "green_channel", show=False),
        Binding("b", "book", show=False),
        Binding("c", "check_in", show=False),
        Binding("r", "rate", show=False),
        Binding("escape", "leave_green", show=False),
        Binding("f5", "refresh", show=False),
    ]

    def __init__(self, kiosk: KioskContext) -> None:
        super().__init__()
        self.kiosk = kiosk
        self.home: kw.KioskHallOut | None = None
        self.page = 0
        self.green = False
        self.tap = TapSession()
        self.issuing: tuple[str, w.Priority] | None = None  # the choice in flight this stay
        self.handled: set[int] = set()
        self.unreachable: str | None = None
        self.left_for_ticket = False
        self.offered: aw.AppointmentServicesOut | None = None  # None: not read (yet)
        self.reads = 0

    # --- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="header"):
            yield Static("", id="hall-name")
            yield Static("", id="clock")
        yield Static("", id="banner")
        with Grid(id="services"):
            for n in range(1, PER_PAGE + 1):
                yield BigKey(str(n), "", id=f"service-{n}")
        with Horizontal(id="more-keys"):
            for key, name in MORE_KEYS:
                yield BigKey(key, "", id=name)
        yield Static("", id="message")

    def on_mount(self) -> None:
        self.set_interval(self.kiosk.settings.refresh_seconds, self.action_refresh)
        self.set_interval(1.0, self._draw_header)
        self.render_home()
        self.action_refresh()

    def on_screen_resume(self) -> None:
        """Back from a ticket: a new stay, a new tap session (back from the green channel's
        question: as its answer left it)."""
        if self.left_for_ticket:
            self.left_for_ticket = False
            self.start_over()
        self.action_refresh()

    def start_over(self) -> None:
        self.tap = TapSession()
        self.issuing = None
        self.green = False
        self.page = 0
        self.say("")
        self.render_home()

    def idle_reset(self) -> bool:
        """After the idle time on this screen: back to page 1 without the green channel; True
        when something was reset."""
        if not self.green and self.page == 0 and not str(self.query_one("#message").render()):
            return False
        self.start_over()
        return True

    # --- drawing ----------------------------------------------------------------------------------

    def say(self, text: str, refusal: bool = False) -> None:
        if gone(self):
            return
        message = self.query_one("#message", Static)
        message.set_class(refusal, "-refusal")
        message.update(text)

    def _draw_header(self) -> None:
        if gone(self):
            return
        desk = self.kiosk.desk
        now = desk.now().astimezone(desk.zone)
        day = f"{now:%Y-%m-%d} {_(WEEKDAYS[now.weekday()])} {now:%H:%M}"
        title = _("{hall} · take a ticket").format(hall=desk.hall_name or _("Service hall"))
        self.query_one("#hall-name", Static).update(title)
        self.query_one("#clock", Static).update(day)

    def render_home(self) -> None:
        if gone(self):
            return
        self._draw_header()
        desk = self.kiosk.desk
        now, zone = desk.now(), desk.zone
        services = self.home.services if self.home else []
        count = pages(len(services))
        self.page = min(self.page, count - 1)
        shown = on_page(services, self.page)
        for n in range(1, PER_PAGE + 1):
            key = self.query_one(f"#service-{n}", BigKey)
            service = shown[n - 1] if n <= len(shown) else None
            key.display = service is not None
            if service is None:
                continue
            key.value = service.service
            key.set_class(service.issuing is not kw.Issuing.open, "-closed")
            key.set_class(self.green and service.issuing is kw.Issuing.open, "-green")
            if self.unreachable is not None:
                key.set_class(True, "-closed")
            if service.issuing is kw.Issuing.open:
                detail = wait_words(service)
                soon = cutoff_words(service, now, zone)
                detail = f"{detail}\n{soon}" if soon else detail
            else:
                detail = "\n".join(closed_lines(service, now, zone)).strip()
            key.show(service.service_name, detail)
        more = self.query_one("#next-page", BigKey)
        more.display = count > 1
        wide = self.size.width >= WIDE
        if wide:
            more.show(_("More services"), f"{self.page + 1}/{count}")
        else:
            more.show(f"{_('More')} {self.page + 1}/{count}")
        green = self.query_one("#green", BigKey)
        green.show(_("Green channel"), _("elderly, disabled") if wide else "")
        green.set_class(self.green, "-green")
        self.query_one("#book", BigKey).show(_("Book a time"))
        self.query_one("#check-in", BigKey).show(_("Check in"), _("booking code") if wide else "")
        self.query_one("#rate", BigKey).show(_("Rate"), _("a finished case") if wide else "")
        takes_bookings = bool(self.offered and self.offered.services)
        self.query_one("#book", BigKey).display = takes_bookings
        self.query_one("#check-in", BigKey).display = takes_bookings
        self._draw_banner()

    def _draw_banner(self) -> None:
        banner = self.query_one("#banner", Static)
        desk = self.kiosk.desk
        text, green = None, False
        if self.unreachable is not None:
            text = _(
                "The kiosk cannot reach the hall service: it tries again by itself. "
                "Please ask the staff if this lasts."
            )
        elif self.home is not None and (
            closed := hall_closed_words(self.home, desk.now(), desk.zone)
        ):
            text = closed
        elif self.green:
            text = _(
                "Green channel: choose the service (Esc: back to ordinary tickets). "
                "For elderly and disabled citizens."
            )
            green = True
        banner.set_class(text is not None, "-shown")
        banner.set_class(green, "-green")
        banner.update(text or "")

    def on_resize(self, _event: events.Resize) -> None:
        self.render_home()

    # --- reading ----------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.run_worker(self._read(), group="read", exclusive=True)

    async def _read(self) -> None:
        try:
            home = await self.kiosk.desk.services()
        except HallUnreachable as exc:
            self.unreachable = exc.reason
            self.render_home()
            return
        except ApiError as exc:
            self.say(explain(exc, self.kiosk.desk.zone), True)
            return
        if self.offered is None:
            await self._read_appointments()
        self.reads += 1
        self.unreachable = None
        self.home = home
        self.render_home()

    async def _read_appointments(self) -> None:
        """Which services take bookings: none (or a hall without appointments) hides the
        booking and check-in keys."""
        try:
            self.offered = await self.kiosk.desk.appointment_services()
        except HallUnreachable:
            return
        except ApiError:
            self.offered = aw.AppointmentServicesOut(
                timezone="", check_in_early_minutes=0, grace_minutes=0, days_ahead=0, services=[]
            )

    # --- keys -------------------------------------------------------------------------------------

    def on_big_key_pressed(self, event: BigKey.Pressed) -> None:
        key = event.key
        if key.id == "next-page":
            self.action_next_page()
        elif key.id == "green":
            self.action_green_channel()
        elif key.id == "book":
            self.action_book()
        elif key.id == "check-in":
            self.action_check_in()
        elif key.id == "rate":
            self.action_rate()
        elif key.id is not None and key.id.startswith("service-"):
            self.action_pick(int(key.id.removeprefix("service-")))

    def action_next_page(self) -> None:
        count = pages(len(self.home.services) if self.home else 0)
        self.page = (self.page + 1) % count
        self.render_home()

    def action_previous_page(self) -> None:
        count = pages(len(self.home.services) if self.home else 0)
        self.page = (self.page - 1) % count
        self.render_home()

    def action_green_channel(self) -> None:
        if self.green:
            return
        from clerkdesk.screens.kiosk.green import GreenChannelScreen

        def chosen(confirmed: bool | None) -> None:
            if confirmed:
                self.tap = TapSession()
                self.green = True
                self.say(_("Green channel: choose the service."))
                self.render_home()

        self.app.push_screen(GreenChannelScreen(), chosen)

    def _open(self, step: Screen[None]) -> None:
        self.left_for_ticket = True  # back from an errand: a new stay
        self.app.push_screen(step)

    def action_book(self) -> None:
        if self.offered and self.offered.services:
            from clerkdesk.screens.kiosk.errands import Booking

            self._open(Booking(self.kiosk, self.offered).first_step())

    def action_check_in(self) -> None:
        if self.offered and self.offered.services:
            from clerkdesk.screens.kiosk.errands import CheckIn

            self._open(CheckIn(self.kiosk).first_step())

    def action_rate(self) -> None:
        from clerkdesk.screens.kiosk.errands import Rating

        letters = sorted({c for s in self.home.services for c in s.prefix}) if self.home else []
        self._open(Rating(self.kiosk, letters).first_step())

    def action_leave_green(self) -> None:
        if self.green:
            self.green = False
            self.tap = TapSession()
            self.say("")
            self.render_home()

    def action_pick(self, number: int) -> None:
        shown = on_page(self.home.services, self.page) if self.home else []
        if not 1 <= number <= len(shown):
            return
        service = shown[number - 1]
        desk = self.kiosk.desk
        if service.issuing is not kw.Issuing.open:
            self.say(closed_words(service, desk.now(), desk.zone), True)
            return
        priority = w.Priority.green_channel if self.green else w.Priority.normal
        choice = (service.service, priority)
        if self.issuing is not None and self.issuing != choice:
            return  # another service's ticket is on its way: this tap is a slip of the finger
        self.issuing = choice
        self.say(_("Issuing your ticket for {service}…").format(service=service.service_name))
        self.run_worker(self._issue(service, priority, self.tap), group="issue")

    async def _issue(
        self, service: kw.KioskServiceOut, priority: w.Priority, tap: TapSession
    ) -> None:
        key = tap.key(service.service, priority)
        try:
            ticket = await self.kiosk.desk.issue(service.service, priority, key)
        except HallClientError as exc:
            if tap is self.tap:
                self.issuing = None
                desk = self.kiosk.desk
                self.say(refusal_words(exc, service.service_name, desk.now(), desk.zone), True)
                self.action_refresh()
            return
        if tap is not self.tap or ticket.id in self.handled or gone(self):
            return  # the same ticket again (a double tap), or a stay that is over
        self.handled.add(ticket.id)
        self.left_for_ticket = True
        from clerkdesk.screens.kiosk.ticket import PrintingScreen

        self.app.push_screen(PrintingScreen(self.kiosk, ticket, service.department_name))
