"""Client calls for appointments (预约) and ratings (好差评). Wraps a signed-in `HallClient`
(same transport, retries and Idempotency-Keys); no Textual here.

Refusal codes a screen meets (`ApiError.code`, with `params`):

- book: 404 `service_not_found`; 409 `no_appointments` (the service takes none),
  `not_a_slot`, `slot_over`, `too_far_ahead` (`last_date`), `slot_full` (`next_free`: up to
  three hall-local ISO starts of the service's next slots with a place), `already_booked`
  (this phone holds a booking of the service that day: `appointment`, `start`, `code`).
- check-in: 404 `appointment_not_found` (no booking with this code today); 409
  `check_in_too_early` (`check_in_from`: come back then), `appointment_missed`
  (`check_in_until`: take a normal ticket), `appointment_cancelled`, `already_checked_in`
  (`ticket`: the ticket's code).
- cancel: 404 `appointment_not_found` (also for a wrong code); 409 `already_checked_in`,
  `appointment_missed`, `appointment_cancelled`.
- rate: 404 `ticket_not_found`; 409 `not_completed` (`status`), `already_rated`.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import TypeAdapter

from clerkdesk.api import appointment_schemas as aw
from clerkdesk.api.client import HallClient

_appointments = TypeAdapter(list[aw.AppointmentOut])


class AppointmentsClient:
    def __init__(self, client: HallClient) -> None:
        self.client = client

    # --- what may be booked ---------------------------------------------------------------

    async def services(self) -> aw.AppointmentServicesOut:
        """The services that take appointments, and the hall's check-in rules."""
        return await self.client._get("/appointments/services", aw.AppointmentServicesOut)

    async def slots(
        self, service: str, day: date | None = None, days: int | None = None
    ) -> aw.SlotsOut:
        """The service's slots on `day` (default: today) and the `days` - 1 dates after it,
        those not over yet; each with its places booked and left."""
        return await self.client._get(
            "/appointments/slots",
            aw.SlotsOut,
            service=service,
            date=day.isoformat() if day else None,
            days=days,
        )

    # --- bookings -------------------------------------------------------------------------

    async def book(
        self, service: str, start: datetime, phone: str, name: str = "", key: str | None = None
    ) -> aw.AppointmentOut:
        """One place in the slot starting at `start` (a slot's `start` from `slots`)."""
        body = aw.BookAppointment(service=service, start=start, phone=phone, name=name)
        return await self.client._post("/appointments", aw.AppointmentOut, body, key)

    async def appointment(self, appointment_id: int) -> aw.AppointmentOut:
        return await self.client._get(f"/appointments/{appointment_id}", aw.AppointmentOut)

    async def by_code(self, code: str) -> aw.AppointmentOut:
        """Today's booking with this code (what the kiosk shows before checking in)."""
        return await self.client._get(f"/appointments/by-code/{code.strip()}", aw.AppointmentOut)

    async def appointments(self, day: date | None = None) -> list[aw.AppointmentOut]:
        """The bookings of a date (default: today), by slot: leads their department's, admins
        the hall's."""
        params = {"date": day.isoformat()} if day else None
        response = await self.client._send("GET", "/appointments", params=params)
        return _appointments.validate_json(response.content)

    async def cancel(
        self,
        appointment_id: int,
        code: str | None = None,
        reason: str = "",
        key: str | None = None,
    ) -> aw.AppointmentOut:
        """Give the place back (the kiosk and the city's app: with the booking code)."""
        body = aw.CancelAppointment(code=code, reason=reason)
        return await self.client._post(
            f"/appointments/{appointment_id}/cancel", aw.AppointmentOut, body, key
        )

    async def check_in(self, code: str, key: str | None = None) -> aw.CheckInAnswer:
        """At the kiosk: today's booking with this code becomes a ticket (priority
        `appointment` from the slot's start)."""
        body = aw.CheckIn(code=code)
        return await self.client._post("/appointments/check-in", aw.CheckInAnswer, body, key)

    # --- ratings (好差评) -------------------------------------------------------------------

    async def rate(
        self,
        ticket_id: int,
        score: int,
        reason: aw.RatingReason | None = None,
        comment: str = "",
        key: str | None = None,
    ) -> aw.RatingOut:
        """The citizen's 1-5 for the completed case (once per case)."""
        body = aw.RateCase(score=score, reason=reason, comment=comment)
        return await self.client._post(f"/tickets/{ticket_id}/rating", aw.RatingOut, body, key)
