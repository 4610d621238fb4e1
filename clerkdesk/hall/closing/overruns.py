"""Overruns: a window worked past its end without an approved extension (the citizen at the
counter is served). Recorded when the window closes; the duty lead confirms or rejects them,
never their own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access.policy import in_scope, require_decider
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.cache import service_day_of
from clerkdesk.hall.errors import Conflict, not_found
from clerkdesk.hall.events.log import append_event
from clerkdesk.hall.ledger import facts as ledger_facts
from clerkdesk.hall.store.models import Overrun, Staff, Window, WindowClosing
from clerkdesk.hall.wire import overrun_out

PENDING = w.OverrunStatus.pending.value


def list_overruns(
    session: Session, who: Principal, status: w.OverrunStatus | None, now: datetime
) -> list[w.OverrunOut]:
    """The service day's overruns (by the stretch they ran past, so a night session's stay in
    the list after midnight) and every pending one: leads and admins see their scope, a clerk
    their own."""
    today = service_day_of(session, who.hall_id, now)
    query = (
        select(Overrun)
        .join(WindowClosing, WindowClosing.id == Overrun.window_closing_id)
        .where(
            Overrun.hall_id == who.hall_id,
            or_(WindowClosing.local_date == today, Overrun.status == PENDING),
        )
    )
    if status is not None:
        query = query.where(Overrun.status == status.value)
    return [
        overrun_out(session, row)
        for row in session.scalars(query.order_by(Overrun.id))
        if row.staff_id == who.staff_id or in_scope(who, session.get_one(Window, row.window_id))
    ]


def decide(
    session: Session,
    who: Principal,
    overrun_id: int,
    confirmed: bool,
    reason: str,
    now: datetime,
) -> w.OverrunOut:
    row = session.scalars(
        select(Overrun)
        .where(Overrun.id == overrun_id, Overrun.hall_id == who.hall_id)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise not_found("overrun", overrun_id)
    window = session.get_one(Window, row.window_id)
    require_decider(session, who, row.staff_id, window, "overrun", row.window_end)
    if row.status != PENDING:
        decided_by = session.get(Staff, row.decided_by_id) if row.decided_by_id else None
        by = f" by {decided_by.name}" if decided_by else ""
        raise Conflict(
            "overrun_decided",
            f"This overrun of window {window.number} is already {row.status}{by}: reload the list.",
            overrun=row.id,
            status=row.status,
        )
    row.status = (w.OverrunStatus.confirmed if confirmed else w.OverrunStatus.rejected).value
    row.decided_at = now
    row.decided_by_id = who.staff_id
    row.decision_reason = reason or None
    session.flush()
    ledger_facts.overrun_decided(session, row, now)
    out = overrun_out(session, row)
    append_event(session, who.hall_id, w.EventKind.overrun_decided, now, overrun=out)
    return out
