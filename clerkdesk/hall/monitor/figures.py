"""The hall's figures at one moment, read in a few set-wise queries (no query per window or per
ticket): what the monitor shows and what congestion alerts are decided from."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import BindParameter, bindparam, func, or_, select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.calendar.cache import cached_calendar, cached_shape, service_day_of
from clerkdesk.hall.rules import closing as closing_rules
from clerkdesk.hall.rules import monitor as rules
from clerkdesk.hall.rules.calendar import current_stretch, last_stretch
from clerkdesk.hall.rules.ticket_states import CALLED, SERVING, WAITING
from clerkdesk.hall.rules.tide import services_with_tide
from clerkdesk.hall.store.models import (
    Department,
    ExtensionRequest,
    Hall,
    ServedDay,
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
from clerkdesk.hall.store.models.base import UTCDateTime
from clerkdesk.hall.store.tables import connection_of


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


def day_start(hall: Hall, day: date) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(hall.timezone))


# The statements of a read, built once (bind hall_id, now, day, since): Core on the request's
# connection, no ORM objects but the few alerts and tides in force.
_HALL_ID: BindParameter[int] = bindparam("hall_id")
_NOW = bindparam("now", type_=UTCDateTime())
HALL_ZONE = select(Hall.timezone).where(Hall.id == _HALL_ID)
SERVICES = (
    select(Service.id, Service.code, Service.name, Department.code, Service.estimated_minutes)
    .join(Department, Department.id == Service.department_id)
    .where(Service.hall_id == _HALL_ID, Service.active)
    .order_by(Service.id)
)
RULES = (
    select(
        ServiceAlertRule.service_id,
        ServiceAlertRule.waiting,
        ServiceAlertRule.longest_wait_minutes,
        ServiceAlertRule.estimated_wait_minutes,
        ServiceAlertRule.clear_percent,
    )
    .join(Service, Service.id == ServiceAlertRule.service_id)
    .where(Service.hall_id == _HALL_ID)
)
OWN_SERVICES = (
    select(WindowService.window_id, WindowService.service_id)
    .join(Window, Window.id == WindowService.window_id)
    .where(Window.hall_id == _HALL_ID)
    .order_by(WindowService.window_id, WindowService.position)
)
WINDOWS = (
    select(Window.id, Window.number, Window.label, Window.reserve, Department.code)
    .outerjoin(Department, Department.id == Window.department_id)
    .where(Window.hall_id == _HALL_ID, Window.active)
    .order_by(Window.number)
)
OPEN_ALERTS = select(ServiceAlert).where(
    ServiceAlert.hall_id == _HALL_ID, ServiceAlert.cleared_at.is_(None)
)
_TIDE_IN_FORCE = (
    TideWindow.hall_id == _HALL_ID,
    TideWindow.ended_at.is_(None),
    TideWindow.started_at <= _NOW,
    or_(TideWindow.until.is_(None), TideWindow.until > _NOW),
)
TIDES = select(TideWindow).where(*_TIDE_IN_FORCE).order_by(TideWindow.id)
TIDE_SERVICES = (
    select(TideService.tide_id, TideService.service_id)
    .join(TideWindow, TideWindow.id == TideService.tide_id)
    .where(*_TIDE_IN_FORCE)
    .order_by(TideService.tide_id, TideService.position)
)
SESSIONS = (
    select(
        WindowSession.window_id,
        WindowSession.started_at,
        WindowSession.ended_at,
        WindowSession.paused,
        Staff.staff_no,
        Staff.name,
    )
    .join(Staff, Staff.id == WindowSession.staff_id)
    .join(Window, Window.id == WindowSession.window_id)
    .where(
        Window.hall_id == _HALL_ID,
        or_(
            WindowSession.ended_at.is_(None),
            WindowSession.ended_at > bindparam("since", type_=UTCDateTime()),
        ),
    )
)
"""The sign-ins of the day (their time signed in) and the open ones (who holds the window)."""
IN_HAND = (
    select(Ticket.window_id, Ticket.code, Ticket.status, Ticket.called_at, Ticket.started_at)
    .where(Ticket.hall_id == _HALL_ID, Ticket.status.in_([CALLED, SERVING]))
    .order_by(Ticket.called_at)
)
_SERVED_TODAY = (ServedDay.hall_id == _HALL_ID, ServedDay.local_date == bindparam("day"))
SERVED_BY_WINDOW = (
    select(ServedDay.window_id, func.sum(ServedDay.served_ms))
    .where(*_SERVED_TODAY)
    .group_by(ServedDay.window_id)
)
SERVED_BY_SERVICE = (
    select(ServedDay.service_id, func.sum(ServedDay.served_ms), func.sum(ServedDay.cases))
    .where(*_SERVED_TODAY)
    .group_by(ServedDay.service_id)
)
"""Served today: the sums kept as cases finish (tickets.served), never the day's tickets."""
EXTENDED = (
    select(ExtensionRequest.window_id, func.max(ExtensionRequest.ends_at))
    .where(
        ExtensionRequest.hall_id == _HALL_ID,
        ExtensionRequest.status == w.ExtensionStatus.approved.value,
        ExtensionRequest.scheduled_end == bindparam("scheduled", type_=UTCDateTime()),
    )
    .group_by(ExtensionRequest.window_id)
)
QUEUES = (
    select(Ticket.service_id, func.count(), func.min(Ticket.queue_at))
    .where(Ticket.hall_id == _HALL_ID, Ticket.status == WAITING)
    .group_by(Ticket.service_id)
)


@dataclass(frozen=True)
class Shape:
    """The hall as its hall file made it (kept between reads: `calendar.cache.cached_shape`)."""

    zone: ZoneInfo
    services: list[tuple[int, str, str, str, int]]
    """id, code, name, department code, estimated minutes; active ones, by id."""
    thresholds: dict[int, rules.Thresholds]
    windows: list[tuple[int, int, str, bool, str | None]]
    """id, number, label, reserve, department code; active ones, by number."""
    own: dict[int, list[int]]
    """Each window's own services in its order."""


def _minutes_s(minutes: int | None) -> int | None:
    return minutes * 60 if minutes is not None else None


def read_shape(session: Session, hall_id: int) -> Shape:
    conn = connection_of(session)
    at = {"hall_id": hall_id}
    own: defaultdict[int, list[int]] = defaultdict(list)
    for window_id, service_id in conn.execute(OWN_SERVICES, at):
        own[window_id].append(service_id)
    return Shape(
        zone=ZoneInfo(conn.execute(HALL_ZONE, at).scalar_one()),
        services=[tuple(row) for row in conn.execute(SERVICES, at)],  # type: ignore[misc]
        thresholds={
            sid: rules.Thresholds(waiting, _minutes_s(longest), _minutes_s(estimate), clear)
            for sid, waiting, longest, estimate, clear in conn.execute(RULES, at)
        },
        windows=[tuple(row) for row in conn.execute(WINDOWS, at)],  # type: ignore[misc]
        own=dict(own),
    )


def read_figures(session: Session, hall_id: int, now: datetime) -> HallFigures:
    conn = connection_of(session)
    at = {"hall_id": hall_id, "now": now}
    shape = cached_shape(session, "monitor", hall_id, lambda s: read_shape(s, hall_id))
    day = service_day_of(session, hall_id, now)
    since = datetime.combine(day, time(0), shape.zone)

    services: dict[int, ServiceFigures] = {}
    estimated: dict[int, int] = {}
    for sid, code, name, department, minutes in shape.services:
        services[sid] = ServiceFigures(sid, code, name, department)
        estimated[sid] = minutes
        if sid in shape.thresholds:
            services[sid].thresholds = shape.thresholds[sid]
    for alert in session.scalars(OPEN_ALERTS, at):
        if alert.service_id in services:
            services[alert.service_id].alert = alert

    # Windows, their own services and the tides in force.
    tides = {t.window_id: t for t in session.scalars(TIDES, at)}
    tide_services: defaultdict[int, list[int]] = defaultdict(list)
    if tides:
        for tide_id, service_id in conn.execute(TIDE_SERVICES, at):
            tide_services[tide_id].append(service_id)
    windows: list[WindowFigures] = []
    for window_id, number, label, reserve, window_department in shape.windows:
        tide = tides.get(window_id)
        mine = shape.own.get(window_id, [])
        calling = services_with_tide(mine, tide_services[tide.id]) if tide else list(mine)
        windows.append(
            WindowFigures(
                window_id, number, label, window_department, reserve, calling, mine, tide=tide
            )
        )
    by_id = {x.id: x for x in windows}

    # Who holds each window (and the day's time signed in), and what is in their hands.
    held: dict[int, bool] = {}
    signed_in: defaultdict[int, list[rules.Interval]] = defaultdict(list)
    for window_id, started_at, ended_at, paused, staff_no, name in conn.execute(
        SESSIONS, {**at, "since": since}
    ):
        signed_in[window_id].append((started_at, ended_at))
        if ended_at is None:
            held[window_id] = paused
            if window_id in by_id:
                by_id[window_id].clerk, by_id[window_id].clerk_name = staff_no, name
    in_hand: dict[int | None, tuple[str, str, datetime | None]] = {}
    for at_window, code, status, called_at, began in conn.execute(IN_HAND, at):
        since_ = began if status == SERVING else called_at
        in_hand[at_window] = (code, status, since_)
    for x in windows:
        hand = in_hand.get(x.id)
        x.state = rules.window_state(x.id in held, held.get(x.id, False), hand[1] if hand else None)
        if hand is not None:
            x.ticket, x.ticket_since = hand[0], hand[2]

    # Busy share today: serving time over signed-in time.
    today = {**at, "day": day}
    served_s = {
        window_id: float(ms or 0) / 1000 for window_id, ms in conn.execute(SERVED_BY_WINDOW, today)
    }
    per_case = {
        service_id: (float(ms) / 1000 / int(count), int(count))
        for service_id, ms, count in conn.execute(SERVED_BY_SERVICE, today)
        if count
    }
    for x in windows:
        hand = in_hand.get(x.id)
        serving: list[rules.Interval] = []
        if hand is not None and hand[1] == SERVING and hand[2] is not None:  # served now
            serving.append((hand[2], None))
        x.busy_share = rules.busy_share_of(
            served_s.get(x.id, 0.0), serving, signed_in.get(x.id, []), since, now
        )

    # Extended: past the stretch's scheduled end on an approved extension.
    calendar = cached_calendar(session, hall_id)
    stretch = current_stretch(calendar, now) or last_stretch(calendar, now)
    if stretch is not None:
        scheduled = stretch[1]
        for extended_at, end in conn.execute(EXTENDED, {**at, "scheduled": scheduled}):
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
    for service_id, count, first in conn.execute(QUEUES, at):
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
