"""The hall's change log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from clerkdesk.hall.store.models.base import Base, BigId, UTCDateTime


class Event(Base):
    """The hall's change log, written in the same transaction as the change it describes."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_hall_id", "hall_id", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
