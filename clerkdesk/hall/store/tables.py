"""The mapped tables as SQLAlchemy Core tables, for the hot paths of the hall service.

The request paths that run hundreds of times a second (token check, issue, call, start,
complete, the event row, the remembered answer) use Core statements on these: no unit of work,
no identity map, no ORM objects built and thrown away per request. Everything else keeps the
ORM models in `models.py`; both describe the same tables.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Connection, Table
from sqlalchemy.orm import Session

from clerkdesk.hall.store import models

CONNECTION = "clerkdesk_connection"
"""`Session.info` key: the connection whose transaction the session joined (`HallContext`)."""


def connection_of(session: Session) -> Connection:
    """The connection to run Core statements on: the request's own (set by `HallContext`),
    without starting an ORM transaction on it; for any other session, the session's."""
    conn = session.info.get(CONNECTION)
    return conn if isinstance(conn, Connection) else session.connection()


def _table(model: type[models.Base]) -> Table:
    return cast(Table, model.__table__)


auth_token = _table(models.AuthToken)
department = _table(models.Department)
event = _table(models.Event)
hall = _table(models.Hall)
hand_off = _table(models.HandOff)
idempotent_response = _table(models.IdempotentResponse)
served_day = _table(models.ServedDay)
service = _table(models.Service)
staff = _table(models.Staff)
ticket = _table(models.Ticket)
ticket_counter = _table(models.TicketCounter)
ticket_transition = _table(models.TicketTransition)
tide_service = _table(models.TideService)
tide_window = _table(models.TideWindow)
window = _table(models.Window)
window_service = _table(models.WindowService)
window_session = _table(models.WindowSession)
appointment = _table(models.Appointment)
rating = _table(models.Rating)
