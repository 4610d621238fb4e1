"""The duty lead's inbox of extension requests with what a decision needs (window, clerk,
waiting tickets, estimate, time to closing). Who may decide: `access.policy.require_decider`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access.policy import in_scope
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.cache import service_day_of
from clerkdesk.hall.calendar.store import load_calendar
from clerkdesk.hall.closing import status as closing
from clerkdesk.hall.errors import not_found
from clerkdesk.hall.rules import closing as rules
from clerkdesk.hall.store.models import ExtensionRequest, Window
from clerkdesk.hall.wire import extension_out, inbox_item_out, open_session, window_out

PENDING = w.ExtensionStatus.pending.value


# --- the lead's inbox -----------------------------------------------------------------------


def inbox_item(session: Session, row: ExtensionRequest, now: datetime) -> w.ExtensionInboxItem:
    window = session.get_one(Window, row.window_id)
    calendar = load_calendar(session, row.hall_id)
    holder = open_session(session, window.id)
    since = holder.started_at if holder else now
    timing = closing.window_timing(session, calendar, window.id, now, since)
    needs = closing.estimate(session, window, now)
    return inbox_item_out(
        extension_out(session, row),
        window.label,
        window_out(session, window).department,
        timing,
        calendar.zone,
        needs,
        rules.minutes_left(now, timing.end) if timing.end else None,
    )


def list_extensions(
    session: Session, who: Principal, status: w.ExtensionStatus | None, now: datetime
) -> list[w.ExtensionInboxItem]:
    """The service day's requests and every pending one; leads and admins see their scope, a
    clerk their own."""
    today = service_day_of(session, who.hall_id, now)
    query = select(ExtensionRequest).where(
        ExtensionRequest.hall_id == who.hall_id,
        or_(ExtensionRequest.local_date == today, ExtensionRequest.status == PENDING),
    )
    if status is not None:
        query = query.where(ExtensionRequest.status == status.value)
    rows = session.scalars(query.order_by(ExtensionRequest.id))
    visible = [
        row
        for row in rows
        if row.staff_id == who.staff_id or in_scope(who, session.get_one(Window, row.window_id))
    ]
    return [inbox_item(session, row, now) for row in visible]


def get_extension(
    session: Session, who: Principal, extension_id: int, now: datetime
) -> w.ExtensionInboxItem:
    row = session.get(ExtensionRequest, extension_id)
    if row is None or row.hall_id != who.hall_id:
        raise not_found("extension", extension_id)
    if row.staff_id != who.staff_id and not in_scope(who, session.get_one(Window, row.window_id)):
        raise not_found("extension", extension_id)
    return inbox_item(session, row, now)
