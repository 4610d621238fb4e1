"""The kiosk's longer errands on the appointments' API: booking a time (预约: the service, the
day, the time with places left, a phone number on the keypad), checking in with the booking code
(签到: the booking becomes an appointment ticket, printed as any ticket), and rating a finished
case (好差评: the ticket's number, 1-5, what stood out).

Each errand is a few steps (clerkdesk.screens.kiosk.steps); Esc goes back a step, the idle
timeout home. An errand's writes each carry one Idempotency-Key made when the errand began, so
a double tap books, checks in or rates once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from clerkdesk.api import appointment_schemas as aw
from clerkdesk.api import schemas as w
from clerkdesk.api.errors import ApiError, HallClientError, NotFound
from clerkdesk.i18n import _
from clerkdesk.screens.kiosk.context import KioskContext
from clerkdesk.screens.kiosk.steps import (
    ChoiceScreen,
    KeypadScreen,
    KioskStep,
    LastWordScreen,
    Option,
)
from clerkdesk.state.appointment_words import (
    SESSION_NAMES,
    reason_name,
    refusal_text,
    score_name,
)
from clerkdesk.state.kiosk import KioskDesk, day_words
from clerkdesk.state.leave_words import WEEKDAYS
from clerkdesk.state.refusals import explain

PHONE_DIGITS = (6, 20)


def _words(error: HallClientError, desk: KioskDesk) -> str:
    """A refusal of the appointments' API in the citizen's words."""
    if isinstance(error, ApiError):
        found = refusal_text(error.code, dict(error.params), desk.zone)
        if found is not None:
            return found
    return explain(error, desk.zone)


def _clock(moment: datetime, desk: KioskDesk) -> str:
    local = moment.astimezone(desk.zone)
    return f"{local.hour}:{local.minute:02d}"


def _date(on: date) -> str:
    return _("{month}/{day} {weekday}").format(
        month=on.month, day=on.day, weekday=_(WEEKDAYS[on.weekday()])
    )


def _span(start: datetime, end: datetime, desk: KioskDesk) -> str:
    return f"{_clock(start, desk)}–{_clock(end, desk)}"


class _Errand:
    def __init__(self, kiosk: KioskContext) -> None:
        self.kiosk = kiosk
        self.desk = kiosk.desk
        self.key = f"kiosk-{type(self).__name__.lower()}-{uuid.uuid4().hex}"


# --- booking a time (预约) --------------------------------------------------------------------


class Booking(_Errand):
    def __init__(self, kiosk: KioskContext, offered: aw.AppointmentServicesOut) -> None:
        super().__init__(kiosk)
        self.offered = offered
        self.service: aw.AppointmentServiceOut | None = None
        self.slots: list[aw.SlotOut] = []
        self.days: list[date] = []
        self.day: date | None = None
        self.times: list[aw.SlotOut] = []
        self.slot: aw.SlotOut | None = None
        self.phone = ""

    def first_step(self) -> ChoiceScreen:
        options = [
            Option(
                s.service_name,
                " / ".join(_(SESSION_NAMES[kind]) for kind in s.sessions),
            )
            for s in self.offered.services
        ]
        return ChoiceScreen(
            self.kiosk,
            _("Book a time: choose the service"),
            options,
            self.service_chosen,
        )

    async def service_chosen(self, step: KioskStep, index: int) -> None:
        service = self.offered.services[index]
        today = self.desk.now().astimezone(self.desk.zone).date()
        days = min(self.offered.days_ahead + 1, aw.SLOT_DAYS_MAX)
        step.say(_("Looking for free times…"))
        try:
            found = await self.desk.slots(service.service, today, days)
        except HallClientError as exc:
            step.say(_words(exc, self.desk), True)
            return
        self.service, self.slots = service, list(found.slots)
        free: dict[date, list[aw.SlotOut]] = {}
        for slot in self.slots:
            if slot.open:
                free.setdefault(slot.local_date, []).append(slot)
        if not free:
            step.say(
                _("No free time for {service} in the coming {n} days.").format(
                    service=service.service_name, n=days
                ),
                True,
            )
            return
        step.say("")
        self.days = sorted(free)
        options = []
        for day in self.days:
            slots = free[day]
            left = sum(s.left for s in slots)
            kind = _(SESSION_NAMES[slots[0].kind])
            detail = _("{kind}, {n} places left").format(kind=kind, n=left)
            title = (
                f"{_date(day)} {day_words(day, today)}" if (day - today).days < 2 else _date(day)
            )
            options.append(Option(title, detail))
        step.app.push_screen(
            ChoiceScreen(
                self.kiosk,
                _("{service}: choose the day").format(service=service.service_name),
                options,
                self.day_chosen,
            )
        )

    async def day_chosen(self, step: KioskStep, index: int) -> None:
        assert self.service is not None
        self.day = self.days[index]
        self.times = [s for s in self.slots if s.local_date == self.day]
        options = [
            Option(
                _span(s.start, s.end, self.desk),
                _("{n} places left").format(n=s.left) if s.open else _("Full"),
                enabled=s.open,
            )
            for s in self.times
        ]
        step.app.push_screen(
            ChoiceScreen(
                self.kiosk,
                _("{service}, {day}: choose the time").format(
                    service=self.service.service_name, day=_date(self.day)
                ),
                options,
                self.time_chosen,
            )
        )

    def summary(self) -> str:
        assert self.service is not None and self.slot is not None and self.day is not None
        when = f"{_date(self.day)} {_span(self.slot.start, self.slot.end, self.desk)}"
        return _("{service}, {when}").format(service=self.service.service_name, when=when)

    async def time_chosen(self, step: KioskStep, index: int) -> None:
        self.slot = self.times[index]
        step.app.push_screen(
            KeypadScreen(
                self.kiosk,
                _("Your phone number"),
                _("Type your phone number"),
                self.phone_entered,
                text=self.summary(),
            )
        )

    async def phone_entered(self, step: KioskStep, typed: str) -> None:
        low, high = PHONE_DIGITS
        if not low <= len(typed) <= high:
            step.say(_("A phone number has {low} to {high} digits.").format(low=low, high=high))
            return
        self.phone = typed
        masked = f"{typed[:3]}****{typed[-4:]}" if len(typed) >= 8 else typed
        text = _("{summary}\nPhone: {phone}").format(summary=self.summary(), phone=masked)
        step.app.push_screen(
            ChoiceScreen(
                self.kiosk,
                _("Confirm the booking"),
                [Option(_("Book it"), _("or Esc to change"))],
                self.confirmed,
                text=text,
            )
        )

    async def confirmed(self, step: KioskStep, _index: int) -> None:
        assert self.service is not None and self.slot is not None
        step.say(_("Booking…"))
        try:
            booked = await self.desk.book(
                self.service.service, self.slot.start, self.phone, self.key
            )
        except HallClientError as exc:
            step.say(_words(exc, self.desk), True)
            return
        body = _(
            "{summary}\nCheck in at this kiosk from {start} to {end} on that day with the "
            "code. Please keep it (take a photo). Any key: back to the start."
        ).format(
            summary=self.summary(),
            start=_clock(booked.check_in_from, self.desk),
            end=_clock(booked.check_in_until, self.desk),
        )
        step.app.switch_screen(
            LastWordScreen(
                self.kiosk,
                _("Booked. Your booking code: {code}").format(code=booked.code),
                body,
                big=booked.code,
            )
        )


# --- checking in with the booking code (签到) ------------------------------------------------


class CheckIn(_Errand):
    def __init__(self, kiosk: KioskContext) -> None:
        super().__init__(kiosk)
        self.code = ""

    def first_step(self) -> KeypadScreen:
        return KeypadScreen(
            self.kiosk,
            _("Check in with your booking code"),
            _("The six digits of your booking code"),
            self.code_entered,
            longest=aw.BOOKING_CODE_DIGITS,
        )

    async def code_entered(self, step: KioskStep, typed: str) -> None:
        if len(typed) != aw.BOOKING_CODE_DIGITS:
            step.say(_("A booking code has six digits."))
            return
        try:
            booking = await self.desk.booking(typed)
        except HallClientError as exc:
            step.say(_words(exc, self.desk), True)
            return
        self.code = typed
        text = _("{service}, {when}, booked for {name}").format(
            service=booking.service_name,
            when=f"{_date(booking.local_date)} {_span(booking.start, booking.end, self.desk)}",
            name=booking.name or booking.phone,
        )
        step.app.push_screen(
            ChoiceScreen(
                self.kiosk,
                _("Check in"),
                [Option(_("Check in and print the ticket"), _("or Esc to go back"))],
                self.confirmed,
                text=text,
            )
        )

    async def confirmed(self, step: KioskStep, _index: int) -> None:
        step.say(_("Checking in…"))
        try:
            answer = await self.desk.check_in(self.code, self.key)
        except HallClientError as exc:
            step.say(_words(exc, self.desk), True)
            return
        from clerkdesk.screens.kiosk.ticket import PrintingScreen

        step.app.switch_screen(PrintingScreen(self.kiosk, answer.ticket, ""))


# --- rating a finished case (好差评) -----------------------------------------------------------


class Rating(_Errand):
    def __init__(self, kiosk: KioskContext, letters: Sequence[str]) -> None:
        super().__init__(kiosk)
        self.letters = list(letters)
        self.ticket: w.TicketOut | None = None
        self.score = 0
        self.reasons: tuple[aw.RatingReason, ...] = ()

    def first_step(self) -> KeypadScreen:
        return KeypadScreen(
            self.kiosk,
            _("Rate a finished case"),
            _("Your ticket's number, e.g. A023"),
            self.code_entered,
            letters=self.letters,
            longest=8,
        )

    async def code_entered(self, step: KioskStep, typed: str) -> None:
        try:
            ticket = await self.desk.ticket_by_code(typed)
        except NotFound:
            step.say(_("No ticket {code} today: check the number.").format(code=typed), True)
            return
        except HallClientError as exc:
            step.say(_words(exc, self.desk), True)
            return
        if ticket.status is not w.TicketStatus.done:
            step.say(_words_for("not_completed", {}, self.desk), True)
            return
        self.ticket = ticket
        where = (
            _("{service}, window {n}").format(service=ticket.service_name, n=ticket.window)
            if ticket.window is not None
            else ticket.service_name
        )
        step.app.push_screen(
            ChoiceScreen(
                self.kiosk,
                _("How was the service for {code}? (1-5)").format(code=ticket.code),
                [Option(score_name(n)) for n in range(1, 6)],
                self.scored,
                text=where,
            )
        )

    async def scored(self, step: KioskStep, index: int) -> None:
        self.score = index + 1
        self.reasons = tuple(
            r for r in aw.reasons_for(self.score) if r is not aw.RatingReason.other
        )
        options = [Option(reason_name(r)) for r in self.reasons] + [Option(_("Skip"))]
        step.app.push_screen(
            ChoiceScreen(
                self.kiosk,
                _("What stood out? (you may skip)"),
                options,
                self.reasoned,
                text=score_name(self.score),
            )
        )

    async def reasoned(self, step: KioskStep, index: int) -> None:
        assert self.ticket is not None
        reason = self.reasons[index] if index < len(self.reasons) else None
        try:
            await self.desk.rate(self.ticket.id, self.score, reason, self.key)
        except HallClientError as exc:
            step.say(_words(exc, self.desk), True)
            return
        step.app.switch_screen(
            LastWordScreen(
                self.kiosk,
                _("Thank you for your rating"),
                _("{code}: {score}. Any key: back to the start.").format(
                    code=self.ticket.code, score=score_name(self.score)
                ),
            )
        )


def _words_for(code: str, params: dict[str, Any], desk: KioskDesk) -> str:
    return refusal_text(code, params, desk.zone) or code
