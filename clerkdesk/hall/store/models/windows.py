"""Who is signed in at which window since when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, Boolean, ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column

from clerkdesk.hall.store.models.base import Base, UTCDateTime
from clerkdesk.hall.store.models.tickets import WAITING_INDEXES


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
    """Alembic's `include_object`: everything but the indexes declared as DDL (above, and the
    waiting tickets' in `tickets.WAITING_INDEXES`)."""
    return not (type_ == "index" and (name in OPEN_SESSION_INDEXES or name in WAITING_INDEXES))
