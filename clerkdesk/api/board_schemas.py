"""The wire contract of the hall board (叫号屏): what the TV over the counters starts from. A
ticket there is its number, service, window and state; nothing of the citizen or the staff."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from clerkdesk.api.schemas import OpeningIntervalOut, TicketStatus, Wire

RECENT_CALLS = 10
"""Calls in GET /board's `calls`, newest first."""


class BoardCallOut(Wire):
    """A ticket called to a window: the latest call (or recall) of it."""

    ticket_id: int
    ticket: str = Field(description="The ticket's code, e.g. A023")
    service: str
    service_name: str
    window: int
    called_at: datetime = Field(description="Its latest call or recall, hall-local")
    recall_count: int
    status: TicketStatus


class BoardQueueOut(Wire):
    """Citizens waiting for one service."""

    service: str
    service_name: str
    prefix: str
    waiting: int


class BoardOut(Wire):
    """GET /board: what the hall board shows, as of event `last_event_id` (the board follows
    the event stream after it)."""

    at: datetime = Field(description="The hall's clock, hall-local")
    hall_name: str
    timezone: str
    local_date: date = Field(description="The service day")
    hours: list[OpeningIntervalOut] = Field(description="Today's opening hours, in order")
    open_now: bool
    closes_at: datetime | None = Field(description="End of the open stretch now, hall-local")
    next_opening: datetime | None = Field(description="Next start of an open stretch")
    extended_until: datetime | None = Field(
        description="An approved extension of the day's closing (延时服务) in force: the hall "
        "serves until then"
    )
    calls: list[BoardCallOut] = Field(description="The latest calls, newest first")
    queues: list[BoardQueueOut] = Field(description="Per active service, in prefix order")
    last_event_id: int
