"""Tickets, their daily numbering and the history of their transitions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import DDL, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from clerkdesk.hall.store.models.base import Base, BigId, UTCDateTime


class TicketCounter(Base):
    """The last number issued per service per local day; numbering restarts each day."""

    __tablename__ = "ticket_counter"
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


def _issued_for(context: Any) -> Any:
    """A ticket's numbering service is the one it was issued for (its service unless said)."""
    return context.get_current_parameters()["service_id"]


class Ticket(Base):
    __tablename__ = "ticket"
    __table_args__ = (
        # Numbers are per the service a ticket was issued for (0007): a hand-off moves the
        # ticket to another service and it keeps its number (C023 stays C023).
        UniqueConstraint(
            "issued_service_id", "local_date", "number", name="uq_ticket_issued_number"
        ),
        Index("ix_ticket_queue", "hall_id", "status", "service_id", "queue_at"),
        Index("ix_ticket_window_status", "window_id", "status"),
        # The hall monitor's and the day report's sums over a day (issue 13): read from the
        # index alone, never the rows (20,000 a day at a large hall).
        Index(
            "ix_ticket_day",
            "hall_id",
            "local_date",
            "window_id",
            "service_id",
            "status",
            "started_at",
            "finished_at",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    number: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(16))
    local_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    queue_at: Mapped[datetime] = mapped_column(UTCDateTime)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("window.id"), nullable=True)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    called_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    recall_count: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    # Parked at the back of a window's queue (0005): at that window it takes the place of the
    # last ticket then waiting there (its rank and service position), behind everyone waiting.
    back_window_id: Mapped[int | None] = mapped_column(
        ForeignKey("window.id", name="fk_ticket_back_window_id_window"), nullable=True
    )
    back_rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    back_position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Hand-offs between departments (0007). `service_id` is the service the ticket waits for
    # or is served in now; `issued_service_id` the one it was issued for (its number's).
    issued_service_id: Mapped[int] = mapped_column(
        ForeignKey("service.id", name="fk_ticket_issued_service_id_service"),
        default=_issued_for,
    )
    target_window_id: Mapped[int | None] = mapped_column(
        ForeignKey("window.id", name="fk_ticket_target_window_id_window"), nullable=True
    )
    """Handed to this window: no other window calls it."""
    target_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", name="fk_ticket_target_staff_id_staff"), nullable=True
    )
    """Handed to this clerk: only a window they hold calls it."""
    handoff_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    chain_departments: Mapped[str] = mapped_column(Text, default="", server_default="")
    """The codes of the departments its hand-offs went from and to, comma-separated."""
    return_handoff_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The hand-off whose sender asked the case back (back to me): when another department
    finishes it, it returns to that sender's window."""


WAITING_INDEXES = {
    "ix_ticket_waiting": (
        "hall_id, service_id, priority, queue_at, id",
        "status = 'waiting'",
    ),
    "ix_ticket_parked_back": (
        "back_window_id, back_rank, back_position, queue_at, id",
        "status = 'waiting' AND back_window_id IS NOT NULL",
    ),
}
"""The waiting tickets, for the bounded claim (`tickets.sql.claim`, issue 14): each class of
the fair order (service and priority; parked at the back of a window) read from its head in
queue order, whatever the length of the queue. Partial indexes (waiting tickets only: the day's
finished ones never enter them), created by migration 0014 and, for a schema built from the
models, by the DDL below: declared as DDL for the reason given at `OPEN_SESSION_INDEXES`."""

for _name, (_columns, _where) in WAITING_INDEXES.items():
    event.listen(
        Ticket.__table__,
        "after_create",
        DDL(f"CREATE INDEX {_name} ON ticket ({_columns}) WHERE {_where}"),
    )


class TicketTransition(Base):
    """Every change of a ticket: who, at which window, when, from which state to which."""

    __tablename__ = "ticket_transition"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("window.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
