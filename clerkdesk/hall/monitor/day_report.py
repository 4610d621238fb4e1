"""The day report (issue 13, item 5): the facts of one service day read from the store, the
figures from the pure rules (`rules.day_report`, `rules.monitor` for the busy shares and their
spread before and after the first tide window of the day).

Hand-offs (转办) are counted where they left (`handoff_counts`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from clerkdesk.api import report_schemas as rw
from clerkdesk.api import schemas as w
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.cache import cached_calendar, service_day_of
from clerkdesk.hall.errors import Invalid
from clerkdesk.hall.monitor.figures import day_start
from clerkdesk.hall.rules import day_report as rules
from clerkdesk.hall.rules import monitor as busy
from clerkdesk.hall.rules.calendar import service_day
from clerkdesk.hall.store.models import (
    ExtensionRequest,
    Hall,
    HandOff,
    Overrun,
    Rating,
    Service,
    Ticket,
    TicketTransition,
    TideService,
    TideWindow,
    Window,
    WindowSession,
)
from clerkdesk.hall.wire import day_report_row_out, spread_out


@dataclass(frozen=True)
class DayReport:
    hall: str
    day: date
    services: list[rules.Row]
    windows: list[rules.Row]
    spread: busy.Spread
    first_tide_at: datetime | None
    spread_before_tide: busy.Spread | None
    spread_after_tide: busy.Spread | None


def handoff_counts(
    session: Session, hall_id: int, day: date
) -> tuple[dict[str, int], dict[int, int]]:
    """Hand-offs (转办) of the service day, counted where they left: per service code handed
    from and per window number handed from (a case sent back is not a hand-off)."""
    by_service: dict[str, int] = {}
    by_window: dict[int, int] = {}
    for service, window in session.execute(
        select(Service.code, Window.number)
        .select_from(HandOff)
        .join(Service, Service.id == HandOff.from_service_id)
        .outerjoin(Window, Window.id == HandOff.from_window_id)
        .where(HandOff.hall_id == hall_id, HandOff.local_date == day, HandOff.kind == "hand_off")
    ):
        by_service[service] = by_service.get(service, 0) + 1
        if window is not None:
            by_window[window] = by_window.get(window, 0) + 1
    return by_service, by_window


def _tides(
    session: Session, hall_id: int, start: datetime, end: datetime
) -> list[tuple[int, datetime, datetime, set[int]]]:
    """The tides in force at some moment of [start, end): window id, from, to, service ids."""
    rows = session.scalars(
        select(TideWindow).where(
            TideWindow.hall_id == hall_id,
            TideWindow.started_at < end,
            or_(TideWindow.ended_at.is_(None), TideWindow.ended_at > start),
        )
    ).all()
    found = []
    for tide in rows:
        services = set(
            session.scalars(select(TideService.service_id).where(TideService.tide_id == tide.id))
        )
        stop = min(x for x in (tide.ended_at, tide.until, end) if x is not None)
        found.append((tide.window_id, tide.started_at, stop, services))
    return found


def read_day(session: Session, hall_id: int, day: date, now: datetime) -> DayReport:
    hall = session.get_one(Hall, hall_id)
    calendar = cached_calendar(session, hall_id)
    start = day_start(hall, day)
    end = min(now, day_start(hall, day + timedelta(days=1)))
    services = {s.id: s for s in session.scalars(select(Service).where(Service.hall_id == hall_id))}
    windows = {w_.id: w_ for w_ in session.scalars(select(Window).where(Window.hall_id == hall_id))}
    tides = _tides(session, hall_id, start, day_start(hall, day + timedelta(days=1)))

    first_call = (
        select(TicketTransition.ticket_id, func.min(TicketTransition.at).label("at"))
        .where(TicketTransition.action == "call")
        .group_by(TicketTransition.ticket_id)
        .subquery()
    )
    cases: list[rules.Case] = []
    for ticket, called, rating in session.execute(
        select(Ticket, first_call.c.at, Rating.score)
        .outerjoin(first_call, first_call.c.ticket_id == Ticket.id)
        .outerjoin(Rating, Rating.ticket_id == Ticket.id)
        .where(Ticket.hall_id == hall_id, Ticket.local_date == day)
        .order_by(Ticket.id)
    ):
        window = windows.get(ticket.window_id) if ticket.window_id else None
        at_tide = ticket.started_at is not None and any(
            window_id == ticket.window_id
            and began <= ticket.started_at < stop
            and ticket.service_id in brought
            for window_id, began, stop, brought in tides
        )
        # The service day it finished on (a night session past midnight: the day it opened).
        finished_on = service_day(calendar, ticket.finished_at) if ticket.finished_at else None
        cases.append(
            rules.Case(
                service=services[ticket.service_id].code,
                window=window.number if window else None,
                issued_at=ticket.issued_at,
                first_called_at=called,
                started_at=ticket.started_at,
                finished_at=ticket.finished_at,
                finished_on=finished_on,
                status=ticket.status,
                at_tide=at_tide,
                rating=rating,
            )
        )

    per_window: defaultdict[int, dict[str, int]] = defaultdict(
        lambda: {"asked": 0, "approved": 0, "minutes": 0, "overruns": 0}
    )
    for request in session.scalars(
        select(ExtensionRequest).where(
            ExtensionRequest.hall_id == hall_id, ExtensionRequest.local_date == day
        )
    ):
        figures = per_window[windows[request.window_id].number]
        figures["asked"] += 1
        if request.status == w.ExtensionStatus.approved.value:
            figures["approved"] += 1
            figures["minutes"] += request.minutes_approved or 0
    for overrun in session.scalars(
        select(Overrun).where(Overrun.hall_id == hall_id, Overrun.local_date == day)
    ):
        per_window[windows[overrun.window_id].number]["overruns"] += 1
    handoffs_by_service, handoffs_by_window = handoff_counts(session, hall_id, day)
    for number in handoffs_by_window:
        per_window[number]  # a window that handed cases on has a row too
    window_days = {
        number: rules.WindowDay(
            f["asked"],
            f["approved"],
            f["minutes"],
            f["overruns"],
            handoffs_by_window.get(number, 0),
        )
        for number, f in per_window.items()
    }
    names = {s.code: s.name for s in sorted(services.values(), key=lambda s: s.id)}
    labels = {x.number: x.label for x in windows.values()}

    # Busy shares: the day, and before / after the day's first tide window.
    signed_in: defaultdict[int, list[busy.Interval]] = defaultdict(list)
    for window_id, began, ended in session.execute(
        select(WindowSession.window_id, WindowSession.started_at, WindowSession.ended_at).where(
            WindowSession.window_id.in_(list(windows)),
            WindowSession.started_at < end,
            or_(WindowSession.ended_at.is_(None), WindowSession.ended_at > start),
        )
    ):
        signed_in[window_id].append((began, ended))
    serving: defaultdict[int, list[busy.Interval]] = defaultdict(list)
    for ticket in session.scalars(
        select(Ticket).where(
            Ticket.hall_id == hall_id, Ticket.local_date == day, Ticket.started_at.is_not(None)
        )
    ):
        if ticket.window_id is not None and ticket.started_at is not None:
            serving[ticket.window_id].append((ticket.started_at, ticket.finished_at))

    def spread(since: datetime, until: datetime) -> busy.Spread:
        return busy.spread(busy.busy_share(serving[i], signed_in[i], since, until) for i in windows)

    first_tide = min((began for _, began, _, _ in tides if began < end), default=None)
    return DayReport(
        hall=hall.name,
        day=day,
        services=rules.by_service(cases, day, names, handoffs_by_service),
        windows=rules.by_window(cases, day, labels, window_days),
        spread=spread(start, end),
        first_tide_at=first_tide,
        spread_before_tide=spread(start, first_tide) if first_tide else None,
        spread_after_tide=spread(first_tide, end) if first_tide else None,
    )


def day_report(session: Session, who: Principal, day: date, now: datetime) -> rw.DayReportOut:
    """GET /hall/day-report/{date}: what `clerkdesk report day` prints, for the lead's screen
    (leads and admins: the whole hall, counts and times, no citizen's notes)."""
    policy.require_hall_watcher(who)
    today = service_day_of(session, who.hall_id, now)
    if day > today:
        raise Invalid(
            "report_day_ahead",
            f"{day.isoformat()} is still to come: the day report covers today ({today}) and "
            "the days before it.",
            local_date=day.isoformat(),
        )
    report = read_day(session, who.hall_id, day, now)
    return rw.DayReportOut(
        hall=report.hall,
        local_date=report.day,
        services=[day_report_row_out(r) for r in report.services],
        windows=[day_report_row_out(r) for r in report.windows],
        spread=spread_out(report.spread),
        first_tide_at=report.first_tide_at,
        spread_before_tide=spread_out(report.spread_before_tide)
        if report.spread_before_tide
        else None,
        spread_after_tide=spread_out(report.spread_after_tide)
        if report.spread_after_tide
        else None,
    )
