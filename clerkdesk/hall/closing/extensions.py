"""Extension requests (延时服务): the clerk asks, the duty lead approves or denies, live.

A request extends the window's current end (scheduled closing, or an extension approved before)
by its minutes; one request per window is pending at a time. A clerk never decides their own
request, even holding the lead role; a lead decides within their department (a lead without a
department: the whole hall). The hall may approve requests up to N minutes itself (off by
default). Every request and decision writes an event, so the lead's inbox and the clerk's
banner update live.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access.policy import require_decider
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.cutoff import when
from clerkdesk.hall.calendar.store import load_calendar, load_policy
from clerkdesk.hall.closing import status as closing
from clerkdesk.hall.errors import Conflict, not_found
from clerkdesk.hall.events.log import append_event
from clerkdesk.hall.ledger import facts as ledger_facts
from clerkdesk.hall.rules import closing as rules
from clerkdesk.hall.store.models import ExtensionRequest, Overrun, Staff, Window, WindowClosing
from clerkdesk.hall.windows.held import held_window
from clerkdesk.hall.wire import extension_out, overrun_out, window_out

PENDING = w.ExtensionStatus.pending.value


# --- asking ---------------------------------------------------------------------------------


def request_extension(
    session: Session, who: Principal, number: int, body: w.RequestExtension, now: datetime
) -> w.ExtensionOut:
    held = held_window(session, who, number)
    window = session.get_one(Window, held.id)
    calendar = load_calendar(session, who.hall_id)
    timing = closing.window_timing(session, calendar, window.id, now, held.started_at)
    if timing.scheduled_end is None or timing.end is None:
        raise Conflict(
            "window_not_open",
            f"Window {number} is outside opening hours now (next opening "
            f"{when(timing.next_opening, calendar.zone)}): there is no end to "
            "extend.",
            window=number,
        )
    pending = session.scalars(
        select(ExtensionRequest).where(
            ExtensionRequest.window_id == window.id, ExtensionRequest.status == PENDING
        )
    ).first()
    if pending is not None:
        raise Conflict(
            "extension_pending",
            f"Window {number} already asked for {pending.minutes_requested} minutes: wait for "
            "the duty lead's decision.",
            window=number,
            extension=pending.id,
        )
    needs = closing.estimate(session, window, now)
    row = ExtensionRequest(
        hall_id=who.hall_id,
        window_id=window.id,
        staff_id=who.staff_id,
        window_session_id=held.session_id,
        local_date=timing.local_date,
        status=PENDING,
        requested_at=now,
        minutes_requested=body.minutes,
        reason=body.reason,
        scheduled_end=timing.scheduled_end,
        base_end=timing.end,
        waiting_at_request=len(needs.waiting) + (1 if needs.in_hand else 0),
        needed_at_request=needs.minutes_needed,
        auto_approved=False,
    )
    session.add(row)
    session.flush()
    out = extension_out(session, row)
    append_event(
        session,
        who.hall_id,
        w.EventKind.extension_requested,
        now,
        window=window_out(session, window),
        extension=out,
    )
    policy = load_policy(session, who.hall_id)
    if rules.auto_approves(body.minutes, policy.auto_approve_minutes):
        return _approve(session, row, body.minutes, None, now, auto=True)
    return out


# --- deciding -------------------------------------------------------------------------------


def _pending(
    session: Session, who: Principal, extension_id: int
) -> tuple[ExtensionRequest, Window]:
    row = session.scalars(
        select(ExtensionRequest)
        .where(ExtensionRequest.id == extension_id, ExtensionRequest.hall_id == who.hall_id)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise not_found("extension", extension_id)
    window = session.get_one(Window, row.window_id)
    require_decider(session, who, row.staff_id, window, "extension request", row.requested_at)
    if row.status != PENDING:
        decided_by = session.get(Staff, row.decided_by_id) if row.decided_by_id else None
        by = f" by {decided_by.name}" if decided_by else ""
        raise Conflict(
            "extension_decided",
            f"This request of window {window.number} is already {row.status}{by}: reload the "
            "inbox.",
            extension=row.id,
            status=row.status,
        )
    return row, window


def _approve(
    session: Session,
    row: ExtensionRequest,
    minutes: int,
    who: Principal | None,
    now: datetime,
    auto: bool = False,
) -> w.ExtensionOut:
    row.status = w.ExtensionStatus.approved.value
    row.minutes_approved = minutes
    row.ends_at = row.base_end + timedelta(minutes=minutes)
    row.decided_at = now
    row.decided_by_id = who.staff_id if who else None
    row.auto_approved = auto
    session.flush()
    _cover_overrun(session, row, now)
    return _decided(session, row, now)


def _decided(session: Session, row: ExtensionRequest, now: datetime) -> w.ExtensionOut:
    out = extension_out(session, row)
    window = session.get_one(Window, row.window_id)
    append_event(
        session,
        row.hall_id,
        w.EventKind.extension_decided,
        now,
        window=window_out(session, window),
        extension=out,
    )
    return out


def _cover_overrun(session: Session, row: ExtensionRequest, now: datetime) -> None:
    """Approved after the window closed: the extension's time becomes overtime now (up to the
    approved end), and it covers (part of) the pending overrun."""
    record = session.scalars(
        select(WindowClosing).where(WindowClosing.window_session_id == row.window_session_id)
    ).one_or_none()
    if record is None or row.ends_at is None:
        return
    record.window_end = max(filter(None, (record.window_end, row.ends_at)))
    session.flush()
    ledger_facts.extension_time(session, record, f"{record.id}.{row.id}", now)
    overrun = session.scalars(
        select(Overrun).where(
            Overrun.window_closing_id == record.id,
            Overrun.status == w.OverrunStatus.pending.value,
        )
    ).one_or_none()
    if overrun is None:
        return
    overrun.window_end = record.window_end
    calendar = load_calendar(session, row.hall_id)
    overrun.local_date = closing.overrun_date(calendar, overrun.window_end)
    overrun.minutes = rules.overrun_minutes(record.window_end, overrun.actual_end)
    if overrun.minutes == 0:
        overrun.status = w.OverrunStatus.covered.value
        overrun.decided_at = now
    session.flush()
    append_event(
        session,
        row.hall_id,
        w.EventKind.overrun_decided,
        now,
        overrun=overrun_out(session, overrun),
    )


def approve(
    session: Session, who: Principal, extension_id: int, body: w.ApproveExtension, now: datetime
) -> w.ExtensionOut:
    row, _window = _pending(session, who, extension_id)
    return _approve(session, row, body.minutes or row.minutes_requested, who, now)


def deny(
    session: Session, who: Principal, extension_id: int, body: w.DenyExtension, now: datetime
) -> w.ExtensionOut:
    row, _window = _pending(session, who, extension_id)
    row.status = w.ExtensionStatus.denied.value
    row.decided_at = now
    row.decided_by_id = who.staff_id
    row.decision_reason = body.reason
    session.flush()
    return _decided(session, row, now)


def withdraw_pending(session: Session, window_id: int, now: datetime) -> None:
    """The window closed before its end: an undecided request has nothing left to extend."""
    for row in session.scalars(
        select(ExtensionRequest).where(
            ExtensionRequest.window_id == window_id, ExtensionRequest.status == PENDING
        )
    ):
        row.status = w.ExtensionStatus.withdrawn.value
        row.decided_at = now
        session.flush()
        _decided(session, row, now)
