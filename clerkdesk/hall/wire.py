"""Rows to wire models: the one place that knows how the store maps onto the contract."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access.principal import parse_roles
from clerkdesk.hall.store.models import (
    Department,
    Event,
    Service,
    Staff,
    Ticket,
    Window,
    WindowService,
    WindowSession,
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


def window_out(session: Session, window: Window) -> w.WindowOut:
    holder = open_session(session, window.id)
    return w.WindowOut(
        number=window.number,
        label=window.label,
        department=department_code(session, window.department_id),
        services=[
            session.get_one(Service, sid).code for sid in window_service_ids(session, window.id)
        ],
        holder=session_out(session, holder) if holder else None,
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
    )


def times_called(called_at: datetime | None, recall_count: int) -> int:
    """How often the citizen was called, the first call included (0 while not called)."""
    return 0 if called_at is None else recall_count + 1


def ticket_answer(row: Mapping[str, Any]) -> w.TicketOut:
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
    )


def hall_last_event_id(session: Session, hall_id: int) -> int:
    return int(session.scalar(select(func.max(Event.id)).where(Event.hall_id == hall_id)) or 0)
