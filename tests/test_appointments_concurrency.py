"""No slot is ever booked over its capacity, however many citizens book its last places at the
same moment: over HTTP against the real hall, on SQLite and on PostgreSQL (several writers at
once there).

Friday 2026-12-11, 09:00: the city's app (the kiosk role) opens Saturday's hukou slots (3
places each). For each of the six slots, two citizens have booked already; then twelve book
the last place at once. Then the 11:30 slot of the next Saturday: fifteen at once on three free
places.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import errors
from clerkdesk.api.appointment_schemas import AppointmentOut
from clerkdesk.api.appointments import AppointmentsClient
from clerkdesk.hall.store.engine import make_engine
from clerkdesk.hall.store.models import Appointment
from tests.conftest import RunningHall, local, signed_in

AT_ONCE = 12
CAPACITY = 3


async def _try(app: AppointmentsClient, start: datetime, phone: str) -> AppointmentOut | str:
    try:
        return await app.book("hukou", start, phone, "市民")
    except errors.ApiError as refused:
        assert refused.status == 409, refused
        return refused.code


def _held_per_slot(database_url: str) -> Counter[datetime]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            starts = session.scalars(
                select(Appointment.slot_start).where(Appointment.status == "booked")
            ).all()
    finally:
        engine.dispose()
    return Counter(starts)


async def test_the_last_place_of_a_slot_goes_to_exactly_one_of_twelve(
    any_hall: RunningHall,
) -> None:
    hall = any_hall
    apps = [AppointmentsClient(await signed_in(hall, "kiosk1")) for _ in range(AT_ONCE)]
    phone = iter(f"1390000{n:04d}" for n in range(1, 1000))
    try:
        starts = [
            s.start for s in (await apps[0].slots("hukou", local("2026-12-12 09:00").date())).slots
        ]
        assert len(starts) == 6
        for start in starts:
            for _ in range(CAPACITY - 1):
                await apps[0].book("hukou", start, next(phone))
            answers = await asyncio.gather(*(_try(app, start, next(phone)) for app in apps))
            won = [a for a in answers if isinstance(a, AppointmentOut)]
            assert len(won) == 1, answers
            assert Counter(a for a in answers if isinstance(a, str)) == {"slot_full": AT_ONCE - 1}

        next_saturday = local("2026-12-19 11:30")
        crowd = apps + apps[:3]
        answers = await asyncio.gather(*(_try(app, next_saturday, next(phone)) for app in crowd))
        assert sum(isinstance(a, AppointmentOut) for a in answers) == CAPACITY
        codes = [a.code for a in answers if isinstance(a, AppointmentOut)]
        assert len(set(codes)) == CAPACITY
    finally:
        for app in apps:
            await app.client.aclose()

    held = _held_per_slot(hall.database_url)
    assert len(held) == 7
    assert set(held.values()) == {CAPACITY}
