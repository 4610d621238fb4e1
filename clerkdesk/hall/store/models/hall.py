"""The hall's structure, as the hall file sets it: departments, services, windows."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column

from clerkdesk.hall.store.models.base import Base, UTCDateTime


class Hall(Base):
    __tablename__ = "hall"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    min_call_interval_s: Mapped[int] = mapped_column(Integer, default=3)
    status_key: Mapped[str | None] = mapped_column(  # 0012: the key of ticket status links
        String(64), nullable=True, default=lambda: secrets.token_hex(32)
    )
    """A printed ticket's QR code links to GET /t/{token}: the token is made from the ticket's
    id with this key (`rules.status_link`), so nobody can guess another ticket's link."""


class Department(Base):
    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("hall_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(  # in the last hall file imported (0003)
        Boolean, default=True, server_default=true()
    )


class Service(Base):
    __tablename__ = "service"
    __table_args__ = (UniqueConstraint("hall_id", "code"), UniqueConstraint("hall_id", "prefix"))
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(8))
    estimated_minutes: Mapped[int] = mapped_column(Integer, default=10)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    cutoff_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The kiosk stops issuing this many minutes before closing; NULL: `estimated_minutes`."""


class Window(Base):
    __tablename__ = "window"
    __table_args__ = (UniqueConstraint("hall_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), nullable=True)
    last_call_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    reserve: Mapped[bool] = mapped_column(  # staffed only as a tide window (潮汐窗口)
        Boolean, default=False, server_default=false()
    )


class WindowService(Base):
    """The ordered list of services a window calls (its position is the service order)."""

    __tablename__ = "window_service"
    window_id: Mapped[int] = mapped_column(ForeignKey("window.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
