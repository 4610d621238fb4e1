"""GET /board: what the hall board (叫号屏) over the counters starts from: the latest calls,
who waits for each service, today's hours and the closing notice of an approved extension
(延时服务). Then it follows the public event stream. Any signed-in caller may read it: it holds
nothing but ticket numbers, services, windows and counts.

A few set-wise queries: the newest calls are read backwards along the transitions' key (a
page, not the day), the queues as one grouped count.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clerkdesk.api import board_schemas as bw
from clerkdesk.api import schemas as w
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.cache import cached_calendar
from clerkdesk.hall.rules.calendar import (
    HallCalendar,
    closing_time,
    day_closing,
    next_opening,
    opening_intervals,
    service_day,
)
from clerkdesk.hall.rules.ticket_states import WAITING, Action
from clerkdesk.hall.store.models import (
    ExtensionRequest,
    Hall,
    Service,
    Ticket,
    TicketTransition,
    Window,
    WindowClosing,
)
from clerkdesk.hall.wire import hall_last_event_id

CALL_ACTIONS = (Action.call.value, Action.recall.value)
PAGE_OF_CALLS = 5 * bw.RECENT_CALLS
"""Call and recall rows read to find the newest RECENT_CALLS tickets (a recall repeats one)."""


def recent_calls(
    session: Session, hall_id: int, day: date, zone: ZoneInfo
) -> list[bw.BoardCallOut]:
    """The newest calls of the service day, one per ticket (its latest call or recall)."""
    rows = session.execute(
        select(
            TicketTransition.ticket_id,
            TicketTransition.at,
            Ticket.code,
            Ticket.recall_count,
            Ticket.status,
            Service.code.label("service"),
            Service.name.label("service_name"),
            Window.number,
        )
        .join(Ticket, Ticket.id == TicketTransition.ticket_id)
        .join(Service, Service.id == Ticket.service_id)
        .join(Window, Window.id == TicketTransition.window_id)
        .where(
            Ticket.hall_id == hall_id,
            Ticket.local_date == day,
            TicketTransition.action.in_(CALL_ACTIONS),
        )
        .order_by(TicketTransition.id.desc())
        .limit(PAGE_OF_CALLS)
    )
    calls: list[bw.BoardCallOut] = []
    seen: set[int] = set()
    for row in rows:
        if row.ticket_id in seen:
            continue
        seen.add(row.ticket_id)
        calls.append(
            bw.BoardCallOut(
                ticket_id=row.ticket_id,
                ticket=row.code,
                service=row.service,
                service_name=row.service_name,
                window=row.number,
                called_at=row.at.astimezone(zone),
                recall_count=row.recall_count,
                status=w.TicketStatus(row.status),
            )
        )
        if len(calls) == bw.RECENT_CALLS:
            break
    return calls


def queues(session: Session, hall_id: int) -> list[bw.BoardQueueOut]:
    waiting = dict(
        session.execute(
            select(Ticket.service_id, func.count())
            .where(Ticket.hall_id == hall_id, Ticket.status == WAITING)
            .group_by(Ticket.service_id)
        ).all()
    )
    services = session.scalars(
        select(Service).where(Service.hall_id == hall_id, Service.active).order_by(Service.prefix)
    )
    return [
        bw.BoardQueueOut(
            service=s.code, service_name=s.name, prefix=s.prefix, waiting=int(waiting.get(s.id, 0))
        )
        for s in services
    ]


def extended_until(
    session: Session, hall_id: int, calendar: HallCalendar, day: date, now: datetime
) -> datetime | None:
    """The latest end of an approved extension of the day's last closing, on a window not yet
    closed for it, while it lies ahead: "今日延时服务至 18:15"."""
    closing = day_closing(calendar, day)
    if closing is None:
        return None
    closing = closing.astimezone(UTC)
    closed = select(WindowClosing.id).where(
        WindowClosing.window_session_id == ExtensionRequest.window_session_id
    )
    latest = session.scalar(
        select(func.max(ExtensionRequest.ends_at)).where(
            ExtensionRequest.hall_id == hall_id,
            ExtensionRequest.status == w.ExtensionStatus.approved.value,
            ExtensionRequest.scheduled_end == closing,
            ~closed.exists(),
        )
    )
    if latest is None or latest <= closing or latest <= now:
        return None
    return latest.astimezone(calendar.zone)


def hall_board(session: Session, who: Principal, now: datetime) -> bw.BoardOut:
    """For `HallContext.read`: any signed-in caller."""
    last = hall_last_event_id(session, who.hall_id)  # first: the stream resumes after it
    hall = session.get_one(Hall, who.hall_id)
    calendar = cached_calendar(session, who.hall_id)
    zone = calendar.zone
    day = service_day(calendar, now)
    closes = closing_time(calendar, now)
    reopen = next_opening(calendar, now)
    return bw.BoardOut(
        at=now.astimezone(zone),
        hall_name=hall.name,
        timezone=calendar.timezone,
        local_date=day,
        hours=[
            w.OpeningIntervalOut(start=start, end=end)
            for start, end in opening_intervals(calendar, day)
        ],
        open_now=closes is not None,
        closes_at=closes.astimezone(zone) if closes else None,
        next_opening=reopen.astimezone(zone) if reopen else None,
        extended_until=extended_until(session, who.hall_id, calendar, day, now),
        calls=recent_calls(session, who.hall_id, day, zone),
        queues=queues(session, who.hall_id),
        last_event_id=last,
    )
