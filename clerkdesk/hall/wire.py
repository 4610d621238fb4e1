"""Rows to wire models: the one place that knows how the store maps onto the contract."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter
from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from clerkdesk.api import appointment_schemas as aw
from clerkdesk.api import ledger_schemas as lw
from clerkdesk.api import report_schemas as rw
from clerkdesk.api import schemas as w
from clerkdesk.hall.access.principal import parse_roles
from clerkdesk.hall.calendar.cache import cached_calendar
from clerkdesk.hall.rules import appointments as appointment_rules
from clerkdesk.hall.rules import closing as rules
from clerkdesk.hall.rules.accrual import CreditLeft
from clerkdesk.hall.rules.calendar import (
    HallCalendar,
    day_info,
    opening_intervals,
    sessions_on,
    worked_parts,
)
from clerkdesk.hall.rules.counter_policy import CounterPolicy
from clerkdesk.hall.rules.day_report import Row as DayRow
from clerkdesk.hall.rules.monitor import Spread
from clerkdesk.hall.rules.ticket_states import DONE
from clerkdesk.hall.store.models import (
    ConfirmedYear,
    Department,
    Event,
    ExtensionRequest,
    Hall,
    HandOff,
    Overrun,
    Service,
    ServiceAlert,
    Staff,
    Ticket,
    TideService,
    TideWindow,
    Window,
    WindowClosing,
    WindowService,
    WindowSession,
)
from clerkdesk.hall.store.models.ledger import (
    DutyRosterEntry,
    LeaveRequest,
    OvertimeClaim,
    OvertimeEntry,
)


def department_code(session: Session, department_id: int | None) -> str | None:
    if department_id is None:
        return None
    return session.get_one(Department, department_id).code


def staff_out(session: Session, staff: Staff) -> w.StaffOut:
    return w.StaffOut(
        id=staff.id,
        staff_no=staff.staff_no,
        name=staff.name,
        department=department_code(session, staff.department_id),
        roles=sorted(parse_roles(staff.roles)),
    )


def session_out(session: Session, ws: WindowSession) -> w.WindowSessionOut:
    window = session.get_one(Window, ws.window_id)
    took_over_from = None
    if ws.took_over_from_id is not None:
        previous = session.get_one(WindowSession, ws.took_over_from_id)
        took_over_from = session.get_one(Staff, previous.staff_id).staff_no
    return w.WindowSessionOut(
        id=ws.id,
        window=window.number,
        staff=staff_out(session, session.get_one(Staff, ws.staff_id)),
        started_at=ws.started_at,
        paused=ws.paused,
        took_over_from=took_over_from,
    )


def open_session(session: Session, window_id: int) -> WindowSession | None:
    return session.scalars(
        select(WindowSession).where(
            WindowSession.window_id == window_id, WindowSession.ended_at.is_(None)
        )
    ).one_or_none()


def window_service_ids(session: Session, window_id: int) -> list[int]:
    return list(
        session.scalars(
            select(WindowService.service_id)
            .where(WindowService.window_id == window_id)
            .order_by(WindowService.position)
        )
    )


def window_out(session: Session, window: Window, now: datetime | None = None) -> w.WindowOut:
    """With `now`, the tide window in force then too (see the monitor section below)."""
    holder = open_session(session, window.id)
    tide = tide_in_force(session, window.id, now) if now is not None else None
    return w.WindowOut(
        number=window.number,
        label=window.label,
        department=department_code(session, window.department_id),
        services=[
            session.get_one(Service, sid).code for sid in window_service_ids(session, window.id)
        ],
        holder=session_out(session, holder) if holder else None,
        tide=tide_out(session, tide) if tide is not None else None,
        reserve=window.reserve,
    )


def ticket_out(session: Session, ticket: Ticket) -> w.TicketOut:
    service = session.get_one(Service, ticket.service_id)
    window = session.get(Window, ticket.window_id) if ticket.window_id else None
    called_by = session.get(Staff, ticket.called_by_id) if ticket.called_by_id else None
    return w.TicketOut(
        id=ticket.id,
        code=ticket.code,
        service=service.code,
        service_name=service.name,
        status=w.TicketStatus(ticket.status),
        priority=w.Priority(ticket.priority),
        appointment_at=ticket.appointment_at,
        issued_at=ticket.issued_at,
        local_date=ticket.local_date,
        window=window.number if window else None,
        called_at=ticket.called_at,
        called_by=called_by.staff_no if called_by else None,
        recall_count=ticket.recall_count,
        times_called=times_called(ticket.called_at, ticket.recall_count),
        started_at=ticket.started_at,
        finished_at=ticket.finished_at,
        outcome=w.Outcome(ticket.outcome) if ticket.outcome else None,
        reason=ticket.reason,
        notes=ticket.notes,
        estimated_minutes=service.estimated_minutes,
        handoffs=ticket.handoff_count,
        chain_departments=chain_codes(ticket.chain_departments),
    )


def chain_codes(text: str | None) -> list[str]:
    """The `ticket.chain_departments` column as a list of department codes."""
    return [code for code in (text or "").split(",") if code]


def times_called(called_at: datetime | None, recall_count: int) -> int:
    """How often the citizen was called, the first call included (0 while not called)."""
    return 0 if called_at is None else recall_count + 1


def ticket_answer(row: Mapping[Any, Any]) -> w.TicketOut:
    """The wire form of a ticket from a Core row: the ticket's columns plus `service_code`,
    `service_name`, `estimated_minutes`, `window_number` and `called_by` (a staff number)."""
    outcome = row["outcome"]
    return w.TicketOut(
        id=row["id"],
        code=row["code"],
        service=row["service_code"],
        service_name=row["service_name"],
        status=w.TicketStatus(row["status"]),
        priority=w.Priority(row["priority"]),
        appointment_at=row["appointment_at"],
        issued_at=row["issued_at"],
        local_date=row["local_date"],
        window=row["window_number"],
        called_at=row["called_at"],
        called_by=row["called_by"],
        recall_count=row["recall_count"],
        times_called=times_called(row["called_at"], row["recall_count"]),
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        outcome=w.Outcome(outcome) if outcome else None,
        reason=row["reason"],
        notes=row["notes"],
        estimated_minutes=row["estimated_minutes"],
        handoffs=row.get("handoff_count") or 0,
        chain_departments=chain_codes(row.get("chain_departments")),
    )


def hall_last_event_id(session: Session, hall_id: int) -> int:
    return int(session.scalar(select(func.max(Event.id)).where(Event.hall_id == hall_id)) or 0)


def confirmed_year_out(session: Session, row: ConfirmedYear) -> w.ConfirmedYearOut:
    by = session.get(Staff, row.confirmed_by_id) if row.confirmed_by_id else None
    return w.ConfirmedYearOut(
        year=row.year, confirmed_at=row.confirmed_at, confirmed_by=by.staff_no if by else None
    )


def day_out(calendar: HallCalendar, local_date: date) -> w.CalendarDayOut:
    info = day_info(calendar, local_date)
    return w.CalendarDayOut(
        local_date=local_date,
        day_type=w.DayType(info.day_type.value),
        make_up_workday=info.make_up_workday,
        holiday_name=info.holiday_name,
        overridden=info.overridden,
        confirmed=info.confirmed,
        intervals=[
            w.OpeningIntervalOut(start=start, end=end)
            for start, end in opening_intervals(calendar, local_date)
        ],
        sessions=[s.label for s in sessions_on(calendar, local_date)],
    )


# --- closing time ---------------------------------------------------------------------------


def extension_out(session: Session, row: ExtensionRequest) -> w.ExtensionOut:
    decided_by = session.get(Staff, row.decided_by_id) if row.decided_by_id else None
    return w.ExtensionOut(
        id=row.id,
        window=session.get_one(Window, row.window_id).number,
        staff=staff_out(session, session.get_one(Staff, row.staff_id)),
        status=w.ExtensionStatus(row.status),
        local_date=row.local_date,
        requested_at=row.requested_at,
        minutes_requested=row.minutes_requested,
        reason=row.reason,
        scheduled_end=row.scheduled_end,
        base_end=row.base_end,
        waiting_at_request=row.waiting_at_request,
        needed_at_request=row.needed_at_request,
        minutes_approved=row.minutes_approved,
        ends_at=row.ends_at,
        decided_at=row.decided_at,
        decided_by=staff_out(session, decided_by) if decided_by else None,
        decision_reason=row.decision_reason,
        auto_approved=row.auto_approved,
    )


def overrun_out(session: Session, row: Overrun) -> w.OverrunOut:
    decided_by = session.get(Staff, row.decided_by_id) if row.decided_by_id else None
    calendar = cached_calendar(session, row.hall_id)
    # Covered by an extension approved later, the window's end is past the actual end: none.
    parts = worked_parts(calendar, row.window_end, max(row.window_end, row.actual_end))
    return w.OverrunOut(
        id=row.id,
        window=session.get_one(Window, row.window_id).number,
        staff=staff_out(session, session.get_one(Staff, row.staff_id)),
        local_date=row.local_date,
        window_end=row.window_end,
        actual_end=row.actual_end,
        minutes=row.minutes,
        status=w.OverrunStatus(row.status),
        recorded_at=row.recorded_at,
        decided_at=row.decided_at,
        decided_by=staff_out(session, decided_by) if decided_by else None,
        decision_reason=row.decision_reason,
        service_day=session.get_one(WindowClosing, row.window_closing_id).local_date,
        parts=[
            w.OverrunPart(
                local_date=p.local_date,
                day_type=w.DayType(p.day_type.value),
                start=p.start,
                end=p.end,
                minutes=p.minutes,
            )
            for p in parts
            if p.minutes > 0
        ],
    )


def closing_out(session: Session, record: WindowClosing) -> w.WindowClosingOut:
    overrun = session.scalars(
        select(Overrun).where(Overrun.window_closing_id == record.id)
    ).one_or_none()
    extra = 0
    if record.window_end is not None and record.scheduled_end is not None:
        extra = int((record.window_end - record.scheduled_end).total_seconds() // 60)
    return w.WindowClosingOut(
        id=record.id,
        window=session.get_one(Window, record.window_id).number,
        staff=staff_out(session, session.get_one(Staff, record.staff_id)),
        local_date=record.local_date,
        started_at=record.started_at,
        scheduled_end=record.scheduled_end,
        window_end=record.window_end,
        actual_end=record.actual_end,
        extension_minutes=extra,
        overrun=overrun_out(session, overrun) if overrun else None,
        end_of_day_rule=w.EndOfDayRule(record.end_of_day_rule) if record.end_of_day_rule else None,
        leftover_tickets=record.leftover_tickets.split(",") if record.leftover_tickets else [],
    )


def closing_status_out(
    number: int,
    now: datetime,
    zone: ZoneInfo,
    timing: rules.Timing,
    notice_minutes: int,
    end_of_day: w.EndOfDayRule,
    needs: rules.Estimate[w.TicketOut],
    left: int | None,
    extension: w.ExtensionOut | None,
) -> w.ClosingStatus:
    def local(moment: datetime | None) -> datetime | None:
        return moment.astimezone(zone) if moment is not None else None

    return w.ClosingStatus(
        window=number,
        now=now.astimezone(zone),
        phase=w.WindowPhase(timing.phase.value),
        scheduled_end=local(timing.scheduled_end),
        window_end=local(timing.end),
        minutes_left=left,
        notice=left is not None and left <= notice_minutes,
        notice_minutes=notice_minutes,
        final_closing=timing.final,
        next_opening=local(timing.next_opening),
        in_hand=needs.in_hand,
        waiting=list(needs.waiting),
        minutes_needed=needs.minutes_needed,
        service_minutes=dict(needs.per_service),
        suggested_minutes=rules.suggested_extension(needs.minutes_needed, left)
        if left is not None
        else 0,
        extension=extension,
        end_of_day=end_of_day,
    )


def inbox_item_out(
    extension: w.ExtensionOut,
    window_label: str,
    department: str | None,
    timing: rules.Timing,
    zone: ZoneInfo,
    needs: rules.Estimate[w.TicketOut],
    minutes_left: int | None,
) -> w.ExtensionInboxItem:
    return w.ExtensionInboxItem(
        extension=extension,
        window_label=window_label,
        department=department,
        phase=w.WindowPhase(timing.phase.value),
        window_end=timing.end.astimezone(zone) if timing.end else None,
        minutes_left=minutes_left,
        waiting=list(needs.waiting),
        minutes_needed=needs.minutes_needed,
    )


def day_counts_out(rows: Sequence[Any]) -> w.DayCounts:
    """A clerk's day from their finished tickets' rows (status, started_at, finished_at)."""
    served = [r for r in rows if r.status == DONE]
    durations = [
        (r.finished_at - r.started_at).total_seconds()
        for r in served
        if r.started_at is not None and r.finished_at is not None
    ]
    return w.DayCounts(
        served=len(served),
        no_shows=len(rows) - len(served),
        average_service_seconds=sum(durations) / len(durations) if durations else None,
    )


def calendar_today_out(
    now: datetime,
    calendar: HallCalendar,
    day: w.CalendarDayOut,
    closes: datetime | None,
    reopen: datetime | None,
    end_of_day: w.EndOfDayRule,
    auto_approve_minutes: int,
    unconfirmed_years: list[int],
) -> w.CalendarToday:
    zone = calendar.zone
    return w.CalendarToday(
        now=now.astimezone(zone),
        timezone=calendar.timezone,
        day=day,
        open_now=closes is not None,
        closes_at=closes.astimezone(zone) if closes else None,
        next_opening=reopen.astimezone(zone) if reopen else None,
        end_of_day=end_of_day,
        auto_approve_minutes=auto_approve_minutes,
        unconfirmed_years=unconfirmed_years,
    )


# --- the counter -------------------------------------------------------------------------------


def queue_out(number: int, tickets: list[w.TicketOut]) -> w.QueueOut:
    return w.QueueOut(window=number, tickets=tickets)


def counter_state_out(
    window: w.WindowOut,
    current: w.TicketOut | None,
    queue: list[w.TicketOut],
    counts: w.DayCounts,
    last_event_id: int,
    policy: CounterPolicy,
    no_shows: list[w.TicketOut],
) -> w.CounterState:
    return w.CounterState(
        window=window,
        current=current,
        queue=queue,
        counts=counts,
        last_event_id=last_event_id,
        policy=w.CounterPolicyOut(
            no_show_min_recalls=policy.no_show_min_recalls,
            no_show_min_seconds=policy.no_show_min_seconds,
            reinstate_minutes=policy.reinstate_minutes,
        ),
        no_shows=no_shows,
    )


# --- the hall ------------------------------------------------------------------------------------


def health_out(version: str, database: str, now: datetime) -> w.Health:
    return w.Health(status="ok", version=version, database=database, now=now)


def hall_out(
    hall: Hall,
    departments: Collection[Department],
    services: Iterable[Service],
    windows: list[w.WindowOut],
) -> w.HallOut:
    """The hall's active departments and services (in the given order) and its windows."""
    codes = {d.id: d.code for d in departments}
    return w.HallOut(
        code=hall.code,
        name=hall.name,
        timezone=hall.timezone,
        departments=[w.DepartmentOut(code=d.code, name=d.name) for d in departments if d.active],
        services=[
            w.ServiceOut(
                code=s.code,
                name=s.name,
                department=codes[s.department_id],
                prefix=s.prefix,
                estimated_minutes=s.estimated_minutes,
            )
            for s in services
        ],
        windows=windows,
    )


def me_out(
    staff: w.StaffOut, hall: Hall, session: w.WindowSessionOut | None, token_expires_at: datetime
) -> w.MeOut:
    return w.MeOut(
        staff=staff,
        hall=hall.code,
        hall_name=hall.name,
        timezone=hall.timezone,
        session=session,
        token_expires_at=token_expires_at,
    )


# --- the duty lead's hall: tide windows, congestion alerts (issue 13) ------------------------


def tide_in_force(session: Session, window_id: int, now: datetime) -> TideWindow | None:
    """The window's tide in force at `now` (rules.tide.in_force), the newest if several."""
    return session.scalars(
        select(TideWindow)
        .where(
            TideWindow.window_id == window_id,
            TideWindow.ended_at.is_(None),
            TideWindow.started_at <= now,
            (TideWindow.until.is_(None)) | (TideWindow.until > now),
        )
        .order_by(TideWindow.id.desc())
        .limit(1)
    ).first()


def tide_service_ids(session: Session, tide_id: int) -> list[int]:
    return list(
        session.scalars(
            select(TideService.service_id)
            .where(TideService.tide_id == tide_id)
            .order_by(TideService.position)
        )
    )


def tide_out(session: Session, tide: TideWindow) -> w.TideOut:
    def staff_no(staff_id: int | None) -> str | None:
        return session.get_one(Staff, staff_id).staff_no if staff_id is not None else None

    services = [session.get_one(Service, s) for s in tide_service_ids(session, tide.id)]
    return w.TideOut(
        id=tide.id,
        window=session.get_one(Window, tide.window_id).number,
        services=[s.code for s in services],
        service_names=[s.name for s in services],
        started_at=tide.started_at,
        until=tide.until,
        ended_at=tide.ended_at,
        end_reason=w.TideEnd(tide.end_reason) if tide.end_reason else None,
        started_by=session.get_one(Staff, tide.started_by_id).staff_no,
        ended_by=staff_no(tide.ended_by_id),
        reason=tide.reason,
        clerk=staff_no(tide.clerk_id),
        reserve=tide.reserve,
    )


def alert_out(session: Session, alert: ServiceAlert, candidates: Sequence[int]) -> w.AlertOut:
    service = session.get_one(Service, alert.service_id)
    return w.AlertOut(
        id=alert.id,
        service=service.code,
        service_name=service.name,
        raised_at=alert.raised_at,
        cleared_at=alert.cleared_at,
        waiting=alert.waiting,
        longest_wait_s=alert.longest_wait_s,
        estimated_wait_s=alert.estimated_wait_s,
        candidates=list(candidates),
    )


# --- hand-offs ---------------------------------------------------------------------------------


def handoff_out(
    session: Session,
    row: HandOff,
    code: str,
    waited_seconds: int,
    flagged: bool,
    go_to_window: int | None,
    unpinned: bool = False,
) -> w.HandOffOut:
    """One move of ticket `code`, as everyone entitled to its note sees it."""

    def number(window_id: int | None) -> int | None:
        return session.get_one(Window, window_id).number if window_id is not None else None

    def staff(staff_id: int | None) -> Staff | None:
        return session.get_one(Staff, staff_id) if staff_id is not None else None

    sender, receiver = staff(row.from_staff_id), staff(row.to_staff_id)
    return w.HandOffOut(
        id=row.id,
        ticket_id=row.ticket_id,
        ticket=code,
        seq=row.seq,
        kind=w.HandOffKind(row.kind),
        state=w.HandOffState(row.state),
        at=row.at,
        from_window=number(row.from_window_id),
        from_staff=sender.staff_no if sender else None,
        from_staff_name=sender.name if sender else None,
        from_department=session.get_one(Department, row.from_department_id).code,
        from_service=session.get_one(Service, row.from_service_id).code,
        to_service=session.get_one(Service, row.to_service_id).code,
        to_department=session.get_one(Department, row.to_department_id).code,
        to_window=number(row.to_window_id),
        to_staff=receiver.staff_no if receiver else None,
        to_staff_name=receiver.name if receiver else None,
        go_to_window=go_to_window,
        note=row.note,
        called_at=row.called_at,
        ended_at=row.ended_at,
        end_reason=row.end_reason,
        back_asked_at=row.back_asked_at,
        waited_seconds=waited_seconds,
        flagged=flagged,
        unpinned=unpinned,
    )


def ticket_detail_out(
    ticket: w.TicketOut, chain: list[w.HandOffOut], seconds_in_hall: int, flagged: bool
) -> w.TicketDetail:
    return w.TicketDetail(
        **dict(ticket), chain=chain, seconds_in_hall=seconds_in_hall, flagged=flagged
    )


def handoff_watch_out(
    now: datetime,
    open_: list[w.HandOffOut],
    today: list[w.HandOffOut],
    flagged: list[str],
    flag_after: int,
) -> w.HandOffWatch:
    return w.HandOffWatch(now=now, open=open_, today=today, flagged=flagged, flag_after=flag_after)


def same_day_out(local_date: date, issued: int, found: Any) -> w.SameDayCompletion:
    """`found`: a rules.handoffs.SameDayCompletion."""
    return w.SameDayCompletion(
        local_date=local_date,
        issued=issued,
        completed=found.completed,
        completed_after_hand_offs=found.after_hand_offs,
        average_seconds_in_hall=found.average_seconds_in_hall,
        longest_seconds_in_hall=found.longest_seconds_in_hall,
    )


# --- overtime and comp leave ---------------------------------------------------------------


def _name(session: Session, staff_id: int | None) -> str | None:
    return session.get_one(Staff, staff_id).name if staff_id is not None else None


_ENTRIES = TypeAdapter(list[lw.LedgerEntryOut])


def ledger_entries_out(rows: Sequence[Row[Any]]) -> list[lw.LedgerEntryOut]:
    """Rows of `book.rows_of`, validated as one list: a balance shows hundreds of them per
    answer, and one call into pydantic's core for all of them costs a fraction of one each."""
    return _ENTRIES.validate_python(
        [
            {
                "id": row.id,
                "kind": row.kind,
                "minutes": row.minutes,
                "local_date": row.local_date,
                "at": row.at,
                "source": row.source,
                "expires_on": row.expires_on,
                "reason": row.reason,
                "approved_by": row.approved_by,
            }
            for row in rows
        ]
    )


def credit_out(credit: CreditLeft | Row[Any]) -> lw.CreditOut:
    return lw.CreditOut(
        source=credit.source,
        work_date=credit.work_date,
        expires_on=credit.expires_on,
        credited=credit.credited,
        remaining=credit.remaining,
    )


def overtime_out(session: Session, row: OvertimeEntry) -> lw.OvertimeEntryOut:
    return lw.OvertimeEntryOut(
        id=row.id,
        staff=staff_out(session, session.get_one(Staff, row.staff_id)),
        origin=lw.OvertimeOrigin(row.origin),
        source=row.source,
        local_date=row.local_date,
        day_type=row.day_type,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        exact_minutes=row.exact_minutes,
        credited_minutes=row.credited_minutes,
        excess_minutes=row.excess_minutes,
        policy_version=row.policy_version,
    )


def claim_out(session: Session, row: OvertimeClaim) -> lw.ClaimOut:
    return lw.ClaimOut(
        id=row.id,
        staff=staff_out(session, session.get_one(Staff, row.staff_id)),
        status=lw.DecisionStatus(row.status),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        minutes=int((row.ends_at - row.starts_at).total_seconds() // 60),
        reason=row.reason,
        requested_at=row.requested_at,
        decided_at=row.decided_at,
        decided_by=_name(session, row.decided_by_id),
        decision_reason=row.decision_reason,
    )


def leave_request_out(session: Session, row: LeaveRequest) -> lw.LeaveRequestOut:
    return lw.LeaveRequestOut(
        id=row.id,
        staff=staff_out(session, session.get_one(Staff, row.staff_id)),
        status=lw.DecisionStatus(row.status),
        first_date=row.first_date,
        last_date=row.last_date,
        minutes=row.minutes,
        by_hours=row.by_hours,
        reason=row.reason,
        requested_at=row.requested_at,
        decided_at=row.decided_at,
        decided_by=_name(session, row.decided_by_id),
        decision_reason=row.decision_reason,
    )


def staff_balance_out(
    staff: Staff,
    department: str | None,
    minutes_per_day: int,
    balance: int,
    expiring: int,
    next_expiry: date | None,
    pending: int,
    duties: int,
) -> lw.StaffBalanceOut:
    return lw.StaffBalanceOut(
        staff=w.StaffOut(
            id=staff.id,
            staff_no=staff.staff_no,
            name=staff.name,
            department=department,
            roles=sorted(parse_roles(staff.roles)),
        ),
        balance_minutes=balance,
        balance_days=round(balance / minutes_per_day, 2),
        expiring_minutes=expiring,
        next_expiry=next_expiry,
        pending_minutes=pending,
        coming_duties=duties,
    )


def duty_out(session: Session, row: DutyRosterEntry) -> lw.DutyOut:
    return lw.DutyOut(
        id=row.id,
        staff=staff_out(session, session.get_one(Staff, row.staff_id)),
        local_date=row.local_date,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        label=row.label,
    )


# --- the day report ------------------------------------------------------------------------------


def spread_out(spread: Spread) -> w.SpreadOut:
    return w.SpreadOut(
        windows=spread.windows,
        highest=spread.highest,
        lowest=spread.lowest,
        spread=spread.spread,
        std_dev=spread.std_dev,
    )


def day_report_row_out(row: DayRow) -> rw.DayReportRowOut:
    return rw.DayReportRowOut(
        key=row.key,
        label=row.label,
        issued=row.issued,
        served=row.served,
        no_shows=row.no_shows,
        handoffs=row.handoffs,
        avg_wait_s=row.avg_wait_s,
        p90_wait_s=row.p90_wait_s,
        avg_service_s=row.avg_service_s,
        p90_service_s=row.p90_service_s,
        same_day_rate=row.same_day_rate,
        extensions_asked=row.extensions_asked,
        extensions_approved=row.extensions_approved,
        extension_minutes=row.extension_minutes,
        overruns=row.overruns,
        tide_share=row.tide_share,
        ratings=row.ratings,
        rating_avg=row.rating_avg,
    )


# --- appointments (预约) and ratings (好差评) ----------------------------------------------------


def appointment_out(
    row: Mapping[Any, Any], zone: ZoneInfo, now: datetime, early: timedelta, contact: bool
) -> aw.AppointmentOut:
    """A booking row (with `service_code`, `service_name`, `ticket_code`) as its reader may
    see it: the name and phone in full only when `contact` (leads, admins), else masked."""
    start: datetime = row["slot_start"]
    until: datetime = row["check_in_until"]
    name, phone = row["name"] or "", row["phone"]
    return aw.AppointmentOut(
        id=row["id"],
        code=row["code"],
        service=row["service_code"],
        service_name=row["service_name"],
        local_date=row["local_date"],
        start=start.astimezone(zone),
        end=row["slot_end"].astimezone(zone),
        kind=aw.SessionKind(row["kind"]),
        status=aw.AppointmentStatus(appointment_rules.status_at(row["status"], until, now)),
        name=name if contact else appointment_rules.mask_name(name),
        phone=phone if contact else appointment_rules.mask_phone(phone),
        booked_at=row["booked_at"],
        check_in_from=(start - early).astimezone(zone),
        check_in_until=until.astimezone(zone),
        checked_in_at=row["checked_in_at"],
        ticket_id=row["ticket_id"],
        ticket=row["ticket_code"],
        cancelled_at=row["cancelled_at"],
    )


def slot_out(
    slot: appointment_rules.Slot, zone: ZoneInfo, capacity: int, held: int, open_: bool
) -> aw.SlotOut:
    left = max(0, capacity - held)
    return aw.SlotOut(
        start=slot.start.astimezone(zone),
        end=slot.end.astimezone(zone),
        local_date=slot.local_date,
        kind=aw.SessionKind(slot.kind),
        capacity=capacity,
        booked=held,
        left=left,
        open=open_ and left > 0,
    )


def rating_out(row: Mapping[Any, Any]) -> aw.RatingOut:
    """A rating row with `ticket_code`, `service_code` and `window_number`."""
    reason = row["reason"]
    return aw.RatingOut(
        id=row["id"],
        ticket_id=row["ticket_id"],
        ticket=row["ticket_code"],
        service=row["service_code"],
        window=row["window_number"],
        local_date=row["local_date"],
        score=row["score"],
        reason=aw.RatingReason(reason) if reason else None,
        comment=row["comment"],
        rated_at=row["rated_at"],
    )
