"""A citizen rates a completed case (好差评) at a device: the kiosk, or the rating screen at the
counter (`clerkdesk rate`). A case is its ticket, with every hand-off it went through (转办
keeps the ticket), so a unique constraint on the ticket makes a second rating impossible; it
is kept with the service, window and clerk that completed the case, for the day report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clerkdesk.api import appointment_schemas as aw
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.errors import Conflict, not_found
from clerkdesk.hall.rules.ticket_states import DONE
from clerkdesk.hall.store import tables
from clerkdesk.hall.store.tables import connection_of
from clerkdesk.hall.tickets import sql as q
from clerkdesk.hall.wire import rating_out

_r, _t, _s, _w = tables.rating, tables.ticket, tables.service, tables.window

RATING = (
    select(
        *_r.c,
        _t.c.code.label("ticket_code"),
        _s.c.code.label("service_code"),
        _w.c.number.label("window_number"),
    )
    .join_from(_r, _t, _t.c.id == _r.c.ticket_id)
    .join(_s, _s.c.id == _r.c.service_id)
    .outerjoin(_w, _w.c.id == _r.c.window_id)
    .where(_r.c.id == bindparam("id"))
)
ALREADY = select(_r.c.id, _r.c.rated_at).where(_r.c.ticket_id == bindparam("ticket_id"))


def _already_rated(code: str) -> Conflict:
    return Conflict(
        "already_rated",
        f"Case {code} has been rated already: a case is rated once.",
        ticket=code,
    )


def rate(
    session: Session, who: Principal, ticket_id: int, body: aw.RateCase, now: datetime
) -> aw.RatingOut:
    policy.require(who, policy.Can.rate_case)
    conn = connection_of(session)
    ticket = conn.execute(q.TICKET_LOCKED, {"hall_id": who.hall_id, "ticket_id": ticket_id}).first()
    if ticket is None:
        raise not_found("ticket", ticket_id)
    policy.require_ticket_visible(conn, who, ticket._mapping, ticket_id)
    if ticket.status != DONE:
        raise Conflict(
            "not_completed",
            f"Case {ticket.code} is {ticket.status}, not completed: it is rated once it is done.",
            ticket=ticket.code,
            status=ticket.status,
        )
    if conn.execute(ALREADY, {"ticket_id": ticket.id}).first() is not None:
        raise _already_rated(ticket.code)
    values = {
        "hall_id": who.hall_id,
        "ticket_id": ticket.id,
        "local_date": ticket.local_date,
        "service_id": ticket.service_id,
        "window_id": ticket.window_id,
        "staff_id": ticket.called_by_id,
        "score": body.score,
        "reason": body.reason.value if body.reason else None,
        "comment": body.comment,
        "rated_at": now,
        "rated_by_id": who.staff_id,
    }
    try:
        with conn.begin_nested():  # another server's rating of the case, committed meanwhile
            new_id = conn.execute(insert(_r).returning(_r.c.id), values).scalar_one()
    except IntegrityError:
        raise _already_rated(ticket.code) from None
    return rating_out(conn.execute(RATING, {"id": new_id}).one()._mapping)
