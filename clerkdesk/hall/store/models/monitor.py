"""The duty lead's hall: tide windows (潮汐窗口) and their services, congestion alert rules per
service (from the hall file) and the alerts raised and cleared."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clerkdesk.hall.store.models.base import Base, UTCDateTime


class TideWindow(Base):
    """A window re-pointed to congested services, or a reserve window opened, by a lead: from
    `started_at` until `until` (None: until revoked) or its end (`ended_at`, who, why). A tide
    is in force while `ended_at` is NULL and `until` is NULL or still ahead: an expired tide
    stops counting at `until` even before the hall's watcher records its end."""

    __tablename__ = "tide_window"
    __table_args__ = (Index("ix_tide_window_window_open", "window_id", "ended_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    window_id: Mapped[int] = mapped_column(ForeignKey("window.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    end_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)
    """revoked (by a lead), expired (its time was up), replaced (by a newer tide)."""
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    """The clerk the lead assigned (a reserve window's back-office staff)."""
    reserve: Mapped[bool] = mapped_column(Boolean, default=False)


class TideService(Base):
    """A tide window's services, in order: first in the window's calling order."""

    __tablename__ = "tide_service"
    tide_id: Mapped[int] = mapped_column(ForeignKey("tide_window.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class ServiceAlertRule(Base):
    """When a service's queue is congested (the hall file's thresholds; NULL: not watched).
    An alert is raised when any measure reaches its threshold and cleared only when every
    measure is below `clear_percent` % of it (hysteresis)."""

    __tablename__ = "service_alert_rule"
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), primary_key=True)
    waiting: Mapped[int | None] = mapped_column(Integer, nullable=True)
    longest_wait_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    estimated_wait_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    clear_percent: Mapped[int] = mapped_column(Integer, default=80)


class ServiceAlert(Base):
    """A congestion alert: raised with the queue's figures then, cleared later (NULL: on)."""

    __tablename__ = "service_alert"
    __table_args__ = (Index("ix_service_alert_service_open", "service_id", "cleared_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    waiting: Mapped[int] = mapped_column(Integer)
    longest_wait_s: Mapped[int] = mapped_column(Integer)
    estimated_wait_s: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ServedDay(Base):
    """Each window's serving time per service and service day, kept by the one writer of a
    ticket's history (`tickets.served`) as cases finish (0013): the hall monitor's busy shares
    and per-case averages read these few rows, never the day's tickets (20,000 at a large hall).
    A case counts where its row says it was served: started and finished at that window."""

    __tablename__ = "served_day"
    __table_args__ = (Index("ix_served_day_hall_day", "hall_id", "local_date"),)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("window.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    served_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    """Finished minus started, summed over its cases, in milliseconds."""
    cases: Mapped[int] = mapped_column(Integer, default=0)
