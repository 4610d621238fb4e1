"""The hall's figures at one moment, read in a few set-wise queries (no query per window or per
ticket): what the monitor shows and what congestion alerts are decided from."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.calendar.cache import cached_calendar, service_day_of
from clerkdesk.hall.rules import closing as closing_rules
from clerkdesk.hall.rules import monitor as rules
from clerkdesk.hall.rules.calendar import current_stretch, last_stretch
from clerkdesk.hall.rules.ticket_states import CALLED, SERVING, WAITING
from clerkdesk.hall.rules.tide import services_with_tide
from clerkdesk.hall.store.models import (
    Department,
    ExtensionRequest,
    Hall,
    Service,
    ServiceAlert,
    ServiceAlertRule,
    Staff,
    Ticket,
    TideService,
    TideWindow,
    Window,
    WindowService,
    WindowSession,
)


@dataclass
class ServiceFigures:
    id: int
    code: str
    name: str
    department: str
    waiting: int = 0
    longest_wait_s: int = 0
    estimated_wait_s: int | None = 0
    open_windows: int = 0
    thresholds: rules.Thresholds = field(default_factory=rules.Thresholds)
    alert: ServiceAlert | None = None

    @property
    def load(self) -> rules.Load:
        return rules.Load(self.waiting, self.longest_wait_s, self.estimated_wait_s)


@dataclass
class WindowFigures:
    id: int
    number: int
    label: str
    department: str | None
    reserve: bool
    services: list[int]
    """In calling order now, a tide's first."""
    own_services: list[int]
    state: rules.WindowState = rules.WindowState.closed
    extended: bool = False
    tide: TideWindow | None = None
    clerk: str | None = None
    clerk_name: str | None = None
    ticket: str | None = None
    ticket_since: datetime | None = None
    busy_share: float | None = None


@dataclass
class HallFigures:
    hall_id: int
    now: datetime
    day: date
    services: dict[int, ServiceFigures]
    windows: list[WindowFigures]

    def loads(self) -> list[rules.WindowLoad]:
        return [
            rules.WindowLoad(
                x.number,
                x.state,
                frozenset(x.services),
                x.reserve,
                x.tide is not None,
                x.busy_share,
            )
            for x in self.windows
        ]

    def candidates(self, service_id: int) -> list[int]:
        waiting = {s.id: s.waiting for s in self.services.values()}
        return rules.candidates(service_id, self.loads(), waiting)

    def spread(self) -> rules.Spread:
        return rules.spread(x.busy_share for x in self.windows)


def _seconds_between(session: Session, start: Any, end: Any) -> Any:
    """end - start in seconds, as SQL (SQLite keeps UTC moments as text)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def day_start(hall: Hall, day: date) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(hall.timezone))


def read_figures(session: Session, hall_id: int, now: datetime) -> HallFigures:
    hall = session.get_one(Hall, hall_id)
    day = service_day_of(session, hall_id, now)
    since = day_start(hall, day)

    services = {
        sid: ServiceFigures(sid, code, name, department)
        for sid, code, name, department in session.execute(
            select(Service.id, Service.code, Service.name, Department.code)
            .join(Department, Department.id == Service.department_id)
            .where(Service.hall_id == hall_id, Service.active)
            .order_by(Service.id)
        )
    }
    estimated: dict[int, int] = {
        sid: minutes
        for sid, minutes in session.execute(
            select(Service.id, Service.estimated_minutes).where(Service.hall_id == hall_id)
        )
    }
    for rule in session.scalars(
        select(ServiceAlertRule).where(ServiceAlertRule.service_id.in_(list(services)))
    ):
        services[rule.service_id].thresholds = rules.Thresholds(
            rule.waiting,
            rule.longest_wait_minutes * 60 if rule.longest_wait_minutes is not None else None,
            rule.estimated_wait_minutes * 60 if rule.estimated_wait_minutes is not None else None,
            rule.clear_percent,
        )
    for alert in session.scalars(
        select(ServiceAlert).where(
            ServiceAlert.hall_id == hall_id, ServiceAlert.cleared_at.is_(None)
        )
    ):
        if alert.service_id in services:
            services[alert.service_id].alert = alert

    # Windows, their own services and the tides in force.
    own: defaultdict[int, list[int]] = defaultdict(list)
    for window_id, service_id in session.execute(
        select(WindowService.window_id, WindowService.service_id)
        .join(Window, Window.id == WindowService.window_id)
        .where(Window.hall_id == hall_id)
        .order_by(WindowService.window_id, WindowService.position)
    ):
        own[window_id].append(service_id)
    tides = {
        t.window_id: t
        for t in session.scalars(
            select(TideWindow)
            .where(
                TideWindow.hall_id == hall_id,
                TideWindow.ended_at.is_(None),
                TideWindow.started_at <= now,
                or_(TideWindow.until.is_(None), TideWindow.until > now),
            )
            .order_by(TideWindow.id)
        )
    }
    tide_services: defaultdict[int, list[int]] = defaultdict(list)
    if tides:
        for tide_id, service_id in session.execute(
            select(TideService.tide_id, TideService.service_id)
            .where(TideService.tide_id.in_([t.id for t in tides.values()]))
            .order_by(TideService.tide_id, TideService.position)
        ):
            tide_services[tide_id].append(service_id)
    windows: list[WindowFigures] = []
    for row in session.execute(
        select(Window.id, Window.number, Window.label, Window.reserve, Department.code)
        .outerjoin(Department, Department.id == Window.department_id)
        .where(Window.hall_id == hall_id, Window.active)
        .order_by(Window.number)
    ):
        tide = tides.get(row.id)
        mine = own[row.id]
        calling = services_with_tide(mine, tide_services[tide.id]) if tide else list(mine)
        windows.append(
            WindowFigures(
                row.id, row.number, row.label, row.code, row.reserve, calling, mine, tide=tide
            )
        )
    by_id = {x.id: x for x in windows}

    # Who holds each window, and what is in their hands.
    held: dict[int, bool] = {}
    for window_id, paused, staff_no, name in session.execute(
        select(WindowSession.window_id, WindowSession.paused, Staff.staff_no, Staff.name)
        .join(Staff, Staff.id == WindowSession.staff_id)
        .join(Window, Window.id == WindowSession.window_id)
        .where(Window.hall_id == hall_id, WindowSession.ended_at.is_(None))
    ):
        held[window_id] = paused
        if window_id in by_id:
            by_id[window_id].clerk, by_id[window_id].clerk_name = staff_no, name
    in_hand: dict[int | None, tuple[str, str, datetime | None]] = {}
    for at_window, code, status, called_at, started_at in session.execute(
        select(Ticket.window_id, Ticket.code, Ticket.status, Ticket.called_at, Ticket.started_at)
        .where(Ticket.hall_id == hall_id, Ticket.status.in_([CALLED, SERVING]))
        .order_by(Ticket.called_at)
    ):
        since_ = started_at if status == SERVING else called_at
        in_hand[at_window] = (code, status, since_)
    for x in windows:
        hand = in_hand.get(x.id)
        x.state = rules.window_state(x.id in held, held.get(x.id, False), hand[1] if hand else None)
        if hand is not None:
            x.ticket, x.ticket_since = hand[0], hand[2]

    # Busy share today: serving time over signed-in time.
    signed_in: defaultdict[int, list[rules.Interval]] = defaultdict(list)
    for window_id, started_at, ended_at in session.execute(
        select(WindowSession.window_id, WindowSession.started_at, WindowSession.ended_at)
        .join(Window, Window.id == WindowSession.window_id)
        .where(
            Window.hall_id == hall_id,
            or_(WindowSession.ended_at.is_(None), WindowSession.ended_at > since),
        )
    ):
        signed_in[window_id].append((started_at, ended_at))
    # Served today, summed in the database (20,000 tickets a day: no row comes back), and the
    # cases still being served, as intervals up to now.
    seconds = _seconds_between(session, Ticket.started_at, Ticket.finished_at)
    today = (Ticket.hall_id == hall_id, Ticket.local_date == day, Ticket.started_at.is_not(None))
    # One index-only scan: a case started and finished is done (a park sends it back waiting
    # and clears nothing it finished; a cancel or a no-show never started).
    served_s: defaultdict[int | None, float] = defaultdict(float)
    by_service: defaultdict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for window_id, service_id, total, count in session.execute(
        select(Ticket.window_id, Ticket.service_id, func.sum(seconds), func.count())
        .where(*today, Ticket.finished_at.is_not(None))
        .group_by(Ticket.window_id, Ticket.service_id)
    ):
        served_s[window_id] += float(total or 0)
        by_service[service_id][0] += float(total or 0)
        by_service[service_id][1] += int(count)
    per_case = {
        service_id: (total / count, int(count))
        for service_id, (total, count) in by_service.items()
        if count
    }
    serving: defaultdict[int | None, list[rules.Interval]] = defaultdict(list)
    for at_window, (_code, status, began) in in_hand.items():  # being served now
        if status == SERVING and began is not None:
            serving[at_window].append((began, None))
    for x in windows:
        x.busy_share = rules.busy_share_of(
            served_s.get(x.id, 0.0), serving[x.id], signed_in[x.id], since, now
        )

    # Extended: past the stretch's scheduled end on an approved extension.
    calendar = cached_calendar(session, hall_id)
    stretch = current_stretch(calendar, now) or last_stretch(calendar, now)
    if stretch is not None:
        scheduled = stretch[1]
        for extended_at, end in session.execute(
            select(ExtensionRequest.window_id, func.max(ExtensionRequest.ends_at))
            .where(
                ExtensionRequest.hall_id == hall_id,
                ExtensionRequest.status == w.ExtensionStatus.approved.value,
                ExtensionRequest.scheduled_end == scheduled,
            )
            .group_by(ExtensionRequest.window_id)
        ):
            found = by_id.get(extended_at)
            if (
                found is not None
                and end is not None
                and found.state is not rules.WindowState.closed
            ):
                ends = closing_rules.window_end(scheduled, [end])
                found.extended = (
                    closing_rules.phase(now, scheduled, ends) is closing_rules.Phase.extended
                )

    # The queues.
    for service_id, count, first in session.execute(
        select(Ticket.service_id, func.count(), func.min(Ticket.queue_at))
        .where(Ticket.hall_id == hall_id, Ticket.status == WAITING)
        .group_by(Ticket.service_id)
    ):
        figures = services.get(service_id)
        if figures is None:
            continue
        figures.waiting = int(count)
        figures.longest_wait_s = max(0, int((now - first).total_seconds())) if first else 0
    open_for: defaultdict[int, int] = defaultdict(int)
    for x in windows:
        if x.state not in (rules.WindowState.closed, rules.WindowState.paused):
            for s in x.services:
                open_for[s] += 1
    for figures in services.values():
        figures.open_windows = open_for[figures.id]
        average, count = per_case.get(figures.id, (0.0, 0))
        per_case_s = average if count else estimated[figures.id] * 60.0
        figures.estimated_wait_s = rules.estimated_wait_s(
            figures.waiting, figures.open_windows, per_case_s
        )
    return HallFigures(hall_id, now, day, services, windows)
