"""Hand-offs between departments (转办): one row per hand-off of a ticket, kept for its whole
history (the chain a receiving clerk reads, the duty lead's watch list)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clerkdesk.hall.store.models.base import Base, UTCDateTime


class HandOff(Base):
    __tablename__ = "hand_off"
    __table_args__ = (
        Index("ix_hand_off_ticket", "ticket_id"),
        Index("ix_hand_off_hall_day", "hall_id", "local_date"),
        Index("ix_hand_off_hall_state", "hall_id", "state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"))
    local_date: Mapped[date] = mapped_column(Date)
    """The service day it happened on."""
    seq: Mapped[int] = mapped_column(Integer)
    """1 for the ticket's first hand-off, 2 for the next, ..."""
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    from_staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    from_window_id: Mapped[int | None] = mapped_column(ForeignKey("window.id"), nullable=True)
    from_service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    from_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    to_service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    to_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    to_window_id: Mapped[int | None] = mapped_column(ForeignKey("window.id"), nullable=True)
    to_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), default="hand_off")
    """hand_off; send_back and returned: the case going back to a sender."""
    state: Mapped[str] = mapped_column(String(16))
    """open, done (finished at the target), returned (finished there and back to its sender),
    sent_back, handed_on, closed (no-show, cancelled)."""
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """When the target first called the citizen."""
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    end_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    back_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """The sender asked the case back (back to me)."""
