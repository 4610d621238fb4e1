"""Appointments (预约) and ratings (好差评): slots, bookings, check-in at the kiosk, the
citizen's rating of a completed case. Thin: each route parses, calls one service, answers."""

from __future__ import annotations

from fastapi import Path, Query
from fastapi.responses import Response

from clerkdesk.api import appointment_schemas as aw
from clerkdesk.api import schemas as w
from clerkdesk.hall.appointments import bookings, slots
from clerkdesk.hall.ratings import service as ratings
from clerkdesk.hall.routes.deps import HallDep, PostDep, TokenDep
from clerkdesk.hall.routes.table import RouteTable

router = RouteTable(tags=["appointments"])
AppointmentId = Path(ge=1, le=2**53, description="The booking's id (from its answer)")
TicketId = Path(ge=1, le=2**53, description="The ticket's id (from the issue answer or an event)")
DateParam = Query(default=None, alias="date", description="Hall-local date; default today")


@router.get("/appointments/services", response_model=aw.AppointmentServicesOut)
def services(hall: HallDep, token: TokenDep) -> aw.AppointmentServicesOut:
    """The services that take appointments (slot length, places, kinds of day) and the hall's
    check-in rules."""
    return hall.read(token, lambda s, who, now: slots.appointment_services(s, who, now))


@router.get("/appointments/slots", response_model=aw.SlotsOut)
def service_slots(
    hall: HallDep,
    token: TokenDep,
    service: w.Code = Query(description="The service's code"),
    day: w.HallDate | None = DateParam,
    days: int = Query(default=1, ge=1, le=aw.SLOT_DAYS_MAX, description="How many dates"),
) -> aw.SlotsOut:
    """The service's slots not over yet, from `date` for `days` dates (up to the last date
    bookable now), each with its places booked and left."""
    return hall.read(
        token, lambda s, who, now: slots.appointment_slots(s, who, service, day, days, now)
    )


@router.get("/appointments", response_model=list[aw.AppointmentOut])
def day_bookings(
    hall: HallDep, token: TokenDep, day: w.HallDate | None = DateParam
) -> list[aw.AppointmentOut]:
    """A date's bookings by slot (leads: their department's; admins: the hall's)."""
    return hall.read(token, lambda s, who, now: bookings.appointments_of(s, who, day, now))


@router.post("/appointments", response_model=aw.AppointmentOut, status_code=201)
async def book(body: aw.BookAppointment, hall: HallDep, post: PostDep) -> Response:
    """Book one place in a slot for a citizen (the kiosk, the city's app, leads, admins).
    Refused 409 `slot_full` with `next_free` when its places are taken."""
    return await hall.write_soon(
        *post.of(body), lambda s, who, now: bookings.book(s, who, body, now), status_code=201
    )


@router.post("/appointments/check-in", response_model=aw.CheckInAnswer, status_code=201)
async def check_in(body: aw.CheckIn, hall: HallDep, post: PostDep) -> Response:
    """At the kiosk, within the booking's check-in window: a ticket with priority
    `appointment` (called ahead of normal tickets from the slot's start)."""
    return await hall.write_soon(
        *post.of(body), lambda s, who, now: bookings.check_in(s, who, body, now), status_code=201
    )


@router.get("/appointments/by-code/{code}", response_model=aw.AppointmentOut)
def by_code(
    hall: HallDep,
    token: TokenDep,
    code: str = Path(pattern=r"^[0-9]{6}$", description="The six-digit booking code"),
) -> aw.AppointmentOut:
    """Today's booking with this code (the kiosk: name and phone masked)."""
    return hall.read(token, lambda s, who, now: bookings.by_code(s, who, code, now))


@router.get("/appointments/{appointment_id}", response_model=aw.AppointmentOut)
def appointment(
    hall: HallDep, token: TokenDep, appointment_id: int = AppointmentId
) -> aw.AppointmentOut:
    return hall.read(token, lambda s, who, now: bookings.appointment(s, who, appointment_id, now))


@router.post("/appointments/{appointment_id}/cancel", response_model=aw.AppointmentOut)
async def cancel(
    body: aw.CancelAppointment, hall: HallDep, post: PostDep, appointment_id: int = AppointmentId
) -> Response:
    """Give the place back (the kiosk and the city's app with the booking code)."""
    return await hall.write_soon(
        *post.of(body),
        lambda s, who, now: bookings.cancel(s, who, appointment_id, body, now),
    )


@router.post("/tickets/{ticket_id}/rating", response_model=aw.RatingOut, status_code=201)
async def rate(
    body: aw.RateCase, hall: HallDep, post: PostDep, ticket_id: int = TicketId
) -> Response:
    """The citizen's rating (好差评) of the completed case, 1-5, once per case (a chain of
    hand-offs is one case): refused 409 `already_rated`."""
    return await hall.write_soon(
        *post.of(body),
        lambda s, who, now: ratings.rate(s, who, ticket_id, body, now),
        status_code=201,
    )
