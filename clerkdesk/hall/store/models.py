"""SQLAlchemy models of the hall. Times are stored in UTC; local dates are the hall's."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    event,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for events.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Hall(Base):
    __tablename__ = "hall"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    min_call_interval_s: Mapped[int] = mapped_column(Integer, default=3)


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


class WindowService(Base):
    """The ordered list of services a window calls (its position is the service order)."""

    __tablename__ = "window_service"
    window_id: Mapped[int] = mapped_column(ForeignKey("window.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    staff_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), nullable=True)
    roles: Mapped[str] = mapped_column(String(100), default="clerk")
    password_hash: Mapped[str] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AuthToken(Base):
    __tablename__ = "auth_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WindowSession(Base):
    """Who is signed in at which window since when. At most one open session per window and
    per clerk: the partial unique indexes in `OPEN_SESSION_INDEXES`."""

    __tablename__ = "window_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("window.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    took_over_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("window_session.id"), nullable=True
    )


OPEN_SESSION_INDEXES = {
    "uq_window_session_open_window": "window_id",
    "uq_window_session_open_staff": "staff_id",
}
"""At most one open session (ended_at IS NULL) per window and per clerk: partial unique indexes,
created by migration 0001 and, for a schema built from these models (`create_all`), by the DDL
below, which SQLite and PostgreSQL share. They are not `Index(..., sqlite_where=...,
postgresql_where=...)` objects: such an index makes SQLAlchemy import its PostgreSQL dialect,
with the modules of all four of its drivers, to check the argument, about 40 ms of every
workstation start on the embedded SQLite hall. Alembic's comparison skips them
(`include_in_autogenerate`)."""

for _name, _column in OPEN_SESSION_INDEXES.items():
    event.listen(
        WindowSession.__table__,
        "after_create",
        DDL(f"CREATE UNIQUE INDEX {_name} ON window_session ({_column}) WHERE ended_at IS NULL"),
    )


def include_in_autogenerate(
    _object: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    """Alembic's `include_object`: everything but the indexes declared as DDL above."""
    return not (type_ == "index" and name in OPEN_SESSION_INDEXES)


class TicketCounter(Base):
    """The last number issued per service per local day; numbering restarts each day."""

    __tablename__ = "ticket_counter"
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("service_id", "local_date", "number"),
        Index("ix_ticket_queue", "hall_id", "status", "service_id", "queue_at"),
        Index("ix_ticket_window_status", "window_id", "status"),
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
    # Parked at the back of a window's queue (0004): at that window it takes the place of the
    # last ticket then waiting there (its rank and service position), behind everyone waiting.
    back_window_id: Mapped[int | None] = mapped_column(
        ForeignKey("window.id", name="fk_ticket_back_window_id_window"), nullable=True
    )
    back_rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    back_position: Mapped[int | None] = mapped_column(Integer, nullable=True)


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


class Event(Base):
    """The hall's change log, written in the same transaction as the change it describes."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_hall_id", "hall_id", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class IdempotentResponse(Base):
    """The first answer to a POST, kept so a retry with the same key gets it back."""

    __tablename__ = "idempotent_response"
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


# --- the hall calendar and closing (issue 4) ------------------------------------------------


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
    # At the counter (0004): a no-show needs this many recalls and seconds since the first
    # call; a no-show may be reinstated this many minutes after it was marked.
    no_show_min_recalls: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    no_show_min_seconds: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    reinstate_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")


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
