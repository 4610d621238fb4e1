"""The hall calendar and its closing policy."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clerkdesk.hall.store.models.base import Base, UTCDateTime


class WeeklyHours(Base):
    """One opening interval of an ordinary workday (local wall-clock times). ``weekday`` 0 is
    Monday; NULL holds the hours of a make-up workday (调休上班; none: the Friday hours)."""

    __tablename__ = "calendar_weekly_hours"
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"), index=True)
    weekday: Mapped[int | None] = mapped_column(Integer, nullable=True)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)


class DutySessionHours(Base):
    """One interval of a rostered weekend/holiday session (错时服务): on a date, or every week
    on a weekday. ``end_time <= start_time`` runs past local midnight."""

    __tablename__ = "calendar_duty_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"), index=True)
    on_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    weekday: Mapped[int | None] = mapped_column(Integer, nullable=True)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    label: Mapped[str] = mapped_column(String(100), default="")


class DayOverride(Base):
    """An admin's day type for one local date (wins over the national calendar)."""

    __tablename__ = "calendar_day_override"
    __table_args__ = (UniqueConstraint("hall_id", "local_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    local_date: Mapped[date] = mapped_column(Date)
    day_type: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(String(200), default="")


class ConfirmedYear(Base):
    """A year whose day types an admin has checked against the official notice."""

    __tablename__ = "calendar_confirmed_year"
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), nullable=True)


class HallPolicy(Base):
    """Closing policy of a hall; a hall without a row uses the defaults."""

    __tablename__ = "hall_policy"
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"), primary_key=True)
    end_of_day: Mapped[str] = mapped_column(String(32), default="serve_all")
    auto_approve_minutes: Mapped[int] = mapped_column(Integer, default=0)
    closing_notice_minutes: Mapped[int] = mapped_column(Integer, default=30)
    # At the counter (0005): a no-show needs this many recalls and seconds since the first
    # call; a no-show may be reinstated this many minutes after it was marked.
    no_show_min_recalls: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    no_show_min_seconds: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    reinstate_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    # Hand-offs (0007): where a handed-off ticket enters the target queue (front, issue_time),
    # after how many hand-offs a ticket is flagged, how long a citizen takes to another counter.
    handoff_placement: Mapped[str] = mapped_column(
        String(16), default="front", server_default="front"
    )
    handoff_flag_after: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    handoff_arrival_minutes: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
