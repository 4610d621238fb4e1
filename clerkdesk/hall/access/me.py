"""Who is signed in (GET /me): the staff member, their hall, their window if they hold one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.store.models import Hall, Staff, WindowSession
from clerkdesk.hall.wire import me_out, session_out, staff_out


def me_of(session: Session, who: Principal, _now: datetime) -> w.MeOut:
    hall_row = session.get_one(Hall, who.hall_id)
    mine = session.scalars(
        select(WindowSession).where(
            WindowSession.staff_id == who.staff_id, WindowSession.ended_at.is_(None)
        )
    ).one_or_none()
    return me_out(
        staff_out(session, session.get_one(Staff, who.staff_id)),
        hall_row,
        session_out(session, mine) if mine else None,
        who.token_expires_at,
    )
