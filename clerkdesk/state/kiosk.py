"""The ticket kiosk (取号机) without Textual: its settings, its link to the hall (signed in with the
kiosk role, signing in again when the sign-in ends at midnight), the Idempotency-Key of a tap,
when it goes back to its home screen, and how its screens word the services and the cutoff.

A tap session is one stay on the home screen (from arriving there to leaving it): every tap on
the same choice in it sends the same Idempotency-Key, so a double tap (or a tap again after an
answer that got lost) issues one ticket. A new stay is a new session.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx

from clerkdesk.api import appointment_schemas as aw
from clerkdesk.api import kiosk_schemas as kw
from clerkdesk.api import schemas as w
from clerkdesk.api.appointments import AppointmentsClient
from clerkdesk.api.client import RETRY_DELAYS, HallClient
from clerkdesk.api.errors import ApiError, HallClientError, HallUnreachable, NotFound, Unauthorized
from clerkdesk.api.kiosk import PRINT_FAILED, KioskClient
from clerkdesk.clock import Clock, FollowedClock
from clerkdesk.i18n import _
from clerkdesk.state.leave_words import WEEKDAYS
from clerkdesk.state.refusals import explain

T = TypeVar("T")
ENV_PASSWORD = "CLERKDESK_KIOSK_PASSWORD"
PER_PAGE = 9
"""Service keys on one page of the home screen: the number keys 1 to 9."""

# --- settings -------------------------------------------------------------------------------


class KioskConfigError(ValueError):
    pass


@dataclass(frozen=True)
class KioskSettings:
    """`[kiosk]` in the config file (and `[kiosk.printer]`, read by clerkdesk.printing)."""

    staff_no: str = "kiosk1"
    password_file: Path | None = None
    status_url: str | None = None
    """Where a phone reaches the hall (the QR code's address); default: the kiosk's server."""
    idle_seconds: float = 30.0
    """Back to the home screen after this long without a tap or a key."""
    refresh_seconds: float = 15.0
    """The home screen reads the services again this often."""
    printer: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_table(cls, table: object) -> KioskSettings:
        if table is None:
            return cls()
        if not isinstance(table, Mapping):
            raise KioskConfigError("[kiosk] in the config file must be a table")

        def seconds(name: str, default: float, low: float) -> float:
            value = table.get(name, default)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < low:
                raise KioskConfigError(f"[kiosk] {name} = {value!r}: a number of seconds ≥ {low}")
            return float(value)

        printer = table.get("printer", {})
        if not isinstance(printer, Mapping):
            raise KioskConfigError("[kiosk.printer] must be a table (kind, path or name, …)")
        password_file = table.get("password_file")
        return cls(
            staff_no=str(table.get("staff_no", "kiosk1")),
            password_file=Path(str(password_file)).expanduser() if password_file else None,
            status_url=str(table["status_url"]).rstrip("/") if table.get("status_url") else None,
            idle_seconds=seconds("idle_seconds", 30.0, 5.0),
            refresh_seconds=seconds("refresh_seconds", 15.0, 1.0),
            printer=dict(printer),
        )

    def password(self, environ: Mapping[str, str] | None = None) -> str | None:
        """CLERKDESK_KIOSK_PASSWORD, else the first line of `password_file`, else None (the
        command asks for it in the terminal)."""
        env = os.environ if environ is None else environ
        if env.get(ENV_PASSWORD):
            return env[ENV_PASSWORD]
        if self.password_file is None:
            return None
        try:
            return self.password_file.read_text(encoding="utf-8").splitlines()[0].strip()
        except (OSError, IndexError) as exc:
            raise KioskConfigError(
                f"[kiosk] password_file = {self.password_file}: cannot read a password from it "
                f"({exc}); fix the file or set {ENV_PASSWORD}"
            ) from None


# --- the link to the hall ---------------------------------------------------------------------


class NotAKiosk(Exception):
    """Signed in, but the staff number has no kiosk role."""

    def __init__(self, staff_no: str) -> None:
        super().__init__(staff_no)
        self.staff_no = staff_no


@dataclass
class KioskDesk:
    """The kiosk's connection to its hall: signed in as `staff_no` with the kiosk role; a
    sign-in that ended (at midnight) is made again once, with the same password, and the
    request sent again."""

    url: str
    staff_no: str
    password: str = field(repr=False)
    clock: Clock
    status_url: str | None = None
    transport: httpx.AsyncBaseTransport | None = None
    retry_delays: tuple[float, ...] = RETRY_DELAYS
    align_clock: bool = False
    """True: `clock` (a FollowedClock) follows the hall's GET /clock (a demo's speed)."""
    me: w.MeOut | None = None
    client: HallClient = field(init=False)

    def __post_init__(self) -> None:
        self.url = self.url.rstrip("/")
        self.client = HallClient(self.url, transport=self.transport, retry_delays=self.retry_delays)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.me.timezone if self.me else "Asia/Shanghai")

    @property
    def hall_name(self) -> str:
        return self.me.hall_name if self.me else ""

    def now(self) -> datetime:
        return self.clock.now()

    async def sign_in(self) -> w.MeOut:
        await self.client.login(self.staff_no, self.password)
        me = await self.client.me()
        if w.Role.kiosk not in me.staff.roles:
            await self.client.logout()
            raise NotAKiosk(self.staff_no)
        self.me = me
        await self.follow_hall_clock()
        return me

    async def follow_hall_clock(self) -> None:
        if not self.align_clock or not isinstance(self.clock, FollowedClock):
            return
        asked = self.clock.monotonic()
        try:
            told = await self.client.clock()
        except NotFound:
            return
        self.clock.follow(told.now, told.speed, at=(asked + self.clock.monotonic()) / 2)

    async def _signed_in(self, call: Callable[[], Awaitable[T]]) -> T:
        try:
            return await call()
        except Unauthorized:  # the sign-in ended (midnight, or an admin ended it): once again
            await self.sign_in()
            return await call()

    async def services(self) -> kw.KioskHallOut:
        return await self._signed_in(KioskClient(self.client).services)

    async def issue(self, service: str, priority: w.Priority, key: str) -> w.TicketOut:
        return await self._signed_in(lambda: self.client.issue(service, priority=priority, key=key))

    async def slip(self, ticket_id: int) -> kw.TicketSlipOut:
        return await self._signed_in(lambda: KioskClient(self.client).slip(ticket_id))

    async def cancel_failed_print(self, ticket_id: int) -> w.TicketOut:
        """Cancel a ticket this kiosk issued and could not print or show (reason
        `print_failed`); its key is the ticket's, so a retry cancels it once."""
        key = f"kiosk-print-failed-{ticket_id}"
        return await self._signed_in(lambda: self.client.cancel(ticket_id, PRINT_FAILED, key))

    # --- appointments (预约) and ratings (好差评): the appointments' API -------------------------

    @property
    def appointments(self) -> AppointmentsClient:
        return AppointmentsClient(self.client)

    async def appointment_services(self) -> aw.AppointmentServicesOut:
        return await self._signed_in(self.appointments.services)

    async def slots(self, service: str, first: date, days: int) -> aw.SlotsOut:
        return await self._signed_in(lambda: self.appointments.slots(service, first, days))

    async def book(self, service: str, start: datetime, phone: str, key: str) -> aw.AppointmentOut:
        return await self._signed_in(lambda: self.appointments.book(service, start, phone, key=key))

    async def booking(self, code: str) -> aw.AppointmentOut:
        return await self._signed_in(lambda: self.appointments.by_code(code))

    async def check_in(self, code: str, key: str) -> aw.CheckInAnswer:
        return await self._signed_in(lambda: self.appointments.check_in(code, key=key))

    async def ticket_by_code(self, code: str) -> w.TicketOut:
        return await self._signed_in(lambda: self.client.ticket_by_code(code))

    async def rate(
        self, ticket_id: int, score: int, reason: aw.RatingReason | None, key: str
    ) -> aw.RatingOut:
        return await self._signed_in(
            lambda: self.appointments.rate(ticket_id, score, reason, key=key)
        )

    def status_link(self, path: str) -> str:
        """The full address of a ticket's status link (its QR code)."""
        return f"{(self.status_url or self.url).rstrip('/')}{path}"

    async def aclose(self) -> None:
        await self.client.aclose()


# --- taps and time on screen ------------------------------------------------------------------


class TapSession:
    """One stay on the home screen: the same choice tapped again sends the same key."""

    def __init__(self, new_id: Callable[[], str] = lambda: uuid.uuid4().hex) -> None:
        self.id = new_id()

    def key(self, service: str, priority: w.Priority) -> str:
        return f"kiosk-{self.id}-{priority.value}-{service}"


class Idle:
    """How long since the last tap or key, on `monotonic` (real seconds, not the hall's: a
    demo hall at 30x speed does not hurry the citizen)."""

    def __init__(self, seconds: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.monotonic = monotonic
        self.last = monotonic()

    def touch(self) -> None:
        self.last = self.monotonic()

    def since(self) -> float:
        return self.monotonic() - self.last

    def expired(self) -> bool:
        return self.since() >= self.seconds


def pages(count: int) -> int:
    return max(1, -(-count // PER_PAGE))


def on_page(services: list[kw.KioskServiceOut], page: int) -> list[kw.KioskServiceOut]:
    return services[page * PER_PAGE : (page + 1) * PER_PAGE]


# --- words --------------------------------------------------------------------------------------


def wait_words(service: kw.KioskServiceOut) -> str:
    """What a new arrival can expect: "3 waiting, ~25 min" (等候3人 约25分钟)."""
    if service.waiting == 0:
        return _("No wait")
    if service.estimated_wait_s is None:
        return _("{n} waiting").format(n=service.waiting)
    minutes = max(1, round(service.estimated_wait_s / 60))
    return _("{n} waiting, ~{m} min").format(n=service.waiting, m=minutes)


def day_words(on: date, today: date) -> str:
    if on == today:
        return _("today")
    if on == today + timedelta(days=1):
        return _("tomorrow")
    return _("on {weekday} {month}/{day}").format(
        weekday=_(WEEKDAYS[on.weekday()]), month=on.month, day=on.day
    )


def when_words(moment: datetime, now: datetime, zone: ZoneInfo) -> str:
    """ "9:00 tomorrow" (明天 9:00), "13:30 today" (今天 13:30), "9:00 on Mon 12/14"."""
    local = moment.astimezone(zone)
    day = day_words(local.date(), now.astimezone(zone).date())
    return _("{time} {day}").format(time=f"{local.hour}:{local.minute:02d}", day=day)


def closed_sentence(
    issuing: kw.Issuing,
    service_name: str,
    next_opening: datetime | None,
    now: datetime,
    zone: ZoneInfo,
) -> str:
    """Why the kiosk does not issue a service now and when it does again, in one sentence:
    "不动产转移登记今日已停止取号，明天 9:00 起可取号"."""
    if next_opening is None:
        again = _("no opening is scheduled in the coming month")
    else:
        again = _("tickets again from {when}").format(when=when_words(next_opening, now, zone))
    if issuing is kw.Issuing.hall_closed:
        return _("The hall is closed now: {again}.").format(again=again)
    if issuing is kw.Issuing.closed_before_break:
        return _("{service}: no tickets until the break is over, {again}.").format(
            service=service_name, again=again
        )
    return _("{service}: no more tickets today, {again}.").format(service=service_name, again=again)


def closed_words(service: kw.KioskServiceOut, now: datetime, zone: ZoneInfo) -> str:
    return closed_sentence(service.issuing, service.service_name, service.next_opening, now, zone)


CUTOFF_CODES = {i.value for i in kw.Issuing if i is not kw.Issuing.open}


def refusal_words(error: HallClientError, service_name: str, now: datetime, zone: ZoneInfo) -> str:
    """The hall's answer to a tap, for the citizen: the cutoff as on the home screen (the hall
    may have passed it since the screen was read), anything else as the staff should hear it."""
    if isinstance(error, ApiError) and error.code in CUTOFF_CODES:
        opening = error.params.get("next_opening")
        try:
            reopen = datetime.fromisoformat(str(opening)) if opening else None
        except ValueError:
            reopen = None
        return closed_sentence(kw.Issuing(error.code), service_name, reopen, now, zone)
    if isinstance(error, HallUnreachable):
        return _("The hall service did not answer: tap the service again (you get one ticket).")
    return _("No ticket could be issued ({reason}). Please ask the staff.").format(
        reason=explain(error, zone)
    )


def closed_lines(service: kw.KioskServiceOut, now: datetime, zone: ZoneInfo) -> tuple[str, str]:
    """The same on a service's key, in two short lines."""
    if service.issuing is kw.Issuing.hall_closed:
        first = _("Hall closed")
    elif service.issuing is kw.Issuing.closed_before_break:
        first = _("Paused for the break")
    else:
        first = _("No more tickets today")
    if service.next_opening is None:
        return first, ""
    return first, _("from {when}").format(when=when_words(service.next_opening, now, zone))


CUTOFF_SOON = timedelta(minutes=60)


def cutoff_words(service: kw.KioskServiceOut, now: datetime, zone: ZoneInfo) -> str:
    """Within an hour of the cutoff: "tickets until 17:10" (取号至 17:10); else ""."""
    if service.issuing is not kw.Issuing.open or service.cutoff_at is None:
        return ""
    if service.cutoff_at - now > CUTOFF_SOON:
        return ""
    at = service.cutoff_at.astimezone(zone)
    return _("tickets until {time}").format(time=f"{at.hour}:{at.minute:02d}")


def hall_closed_words(home: kw.KioskHallOut, now: datetime, zone: ZoneInfo) -> str | None:
    """No service issues now (the hall is closed, or every cutoff has passed): one line for the
    banner with the earliest time tickets are issued again; else None."""
    if not home.services or any(s.issuing is kw.Issuing.open for s in home.services):
        return None
    openings = [s.next_opening for s in home.services if s.next_opening is not None]
    if all(s.issuing is kw.Issuing.hall_closed for s in home.services):
        if not openings:
            return _("The hall is closed now: no opening is scheduled in the coming month.")
        return _("The hall is closed now: tickets again from {when}.").format(
            when=when_words(min(openings), now, zone)
        )
    if not openings:
        return _("No more tickets now: no opening is scheduled in the coming month.")
    return _("No more tickets now: tickets again from {when}.").format(
        when=when_words(min(openings), now, zone)
    )
