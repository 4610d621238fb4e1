"""Closing time: extension requests, window closings, overruns."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clerkdesk.hall.store.models.base import Base, UTCDateTime


class ExtensionRequest(Base):
    """A clerk's request to keep a window open past its end (延时服务), and its decision."""

    __tablename__ = "extension_request"
    __table_args__ = (Index("ix_extension_request_hall_date", "hall_id", "local_date", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    window_id: Mapped[int] = mapped_column(ForeignKey("window.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    window_session_id: Mapped[int] = mapped_column(ForeignKey("window_session.id"))
    local_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes_requested: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    scheduled_end: Mapped[datetime] = mapped_column(UTCDateTime)
    base_end: Mapped[datetime] = mapped_column(UTCDateTime)
    waiting_at_request: Mapped[int] = mapped_column(Integer, default=0)
    needed_at_request: Mapped[int] = mapped_column(Integer, default=0)
    minutes_approved: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    auto_approved: Mapped[bool] = mapped_column(Boolean, default=False)


class WindowClosing(Base):
    """The facts of a window closed for its stretch: scheduled end, end with extensions, and
    the actual end (overtime is computed from these)."""

    __tablename__ = "window_closing"
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    window_id: Mapped[int] = mapped_column(ForeignKey("window.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    window_session_id: Mapped[int] = mapped_column(ForeignKey("window_session.id"), unique=True)
    local_date: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scheduled_end: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    actual_end: Mapped[datetime] = mapped_column(UTCDateTime)
    end_of_day_rule: Mapped[str | None] = mapped_column(String(32), nullable=True)
    leftover_tickets: Mapped[str] = mapped_column(Text, default="")


class Overrun(Base):
    """Work past a window's end without an approved extension: the lead confirms or rejects."""

    __tablename__ = "overrun"
    __table_args__ = (Index("ix_overrun_hall_date", "hall_id", "local_date", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    window_id: Mapped[int] = mapped_column(ForeignKey("window.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    window_closing_id: Mapped[int] = mapped_column(ForeignKey("window_closing.id"), unique=True)
    local_date: Mapped[date] = mapped_column(Date)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    actual_end: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
