"""Appointments (预约): each service's slot rule, the bookings; and the citizens' ratings of
completed cases (好差评), one per case."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clerkdesk.hall.store.models.base import Base, UTCDateTime


class AppointmentPolicy(Base):
    """The hall's appointment rules (the hall file's `[appointments]`); none: the defaults."""

    __tablename__ = "appointment_policy"
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"), primary_key=True)
    early_minutes: Mapped[int] = mapped_column(Integer, default=30)
    """Check-in opens this long before the slot."""
    grace_minutes: Mapped[int] = mapped_column(Integer, default=10)
    """Check-in closes this long after the slot starts (or after a booking made later)."""
    days_ahead: Mapped[int] = mapped_column(Integer, default=14)
    """Bookable from today to today + days_ahead."""


class AppointmentRule(Base):
    """A service that takes appointments: slots of `slot_minutes` through the hall's open
    hours on the kinds of day in `sessions`, `capacity` places each (the hall file)."""

    __tablename__ = "appointment_rule"
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), primary_key=True)
    slot_minutes: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    sessions: Mapped[str] = mapped_column(String(64))
    """Comma-separated session kinds: ordinary, weekend, holiday."""


class Appointment(Base):
    __tablename__ = "appointment"
    __table_args__ = (
        UniqueConstraint("hall_id", "local_date", "code", name="uq_appointment_code"),
        Index("ix_appointment_slot", "service_id", "slot_start"),
        Index("ix_appointment_day", "hall_id", "local_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    local_date: Mapped[date] = mapped_column(Date)
    """The date whose open hours hold the slot (a night session's: the date it opened)."""
    slot_start: Mapped[datetime] = mapped_column(UTCDateTime)
    slot_end: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(8))
    """The booking code the citizen types at the kiosk (unique per hall and date)."""
    status: Mapped[str] = mapped_column(String(16))
    """booked, checked_in, cancelled. A booking still `booked` past `check_in_until` is missed
    (decided when read: its place is free from then on)."""
    name: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(32))
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    booked_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    check_in_until: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Rating(Base):
    """A citizen's rating of a completed case: one per ticket (a hand-off keeps the ticket, so
    a chain of hand-offs is one case), with where it was completed."""

    __tablename__ = "rating"
    __table_args__ = (
        UniqueConstraint("ticket_id", name="uq_rating_ticket"),
        Index("ix_rating_day", "hall_id", "local_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"))
    local_date: Mapped[date] = mapped_column(Date)
    """The ticket's service day."""
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    window_id: Mapped[int | None] = mapped_column(ForeignKey("window.id"), nullable=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    """The clerk who completed the case."""
    score: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rated_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
