"""GET /hall/monitor: the hall now, as the duty lead's monitor starts from it (then it follows
the event stream)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.monitor.figures import HallFigures, read_figures
from clerkdesk.hall.store.models import Event
from clerkdesk.hall.store.tables import connection_of
from clerkdesk.hall.wire import alert_out, tide_out


def monitor_out(session: Session, figures: HallFigures, last_event_id: int) -> w.HallMonitorOut:
    codes = {s.id: s.code for s in figures.services.values()}
    alerts: list[w.AlertOut] = []
    services: list[w.ServiceLoadOut] = []
    for s in figures.services.values():
        alert = None
        if s.alert is not None:  # the queue now (the row keeps its figures when raised)
            alert = alert_out(session, s.alert, figures.candidates(s.id)).model_copy(
                update={
                    "waiting": s.waiting,
                    "longest_wait_s": s.longest_wait_s,
                    "estimated_wait_s": s.estimated_wait_s,
                }
            )
        if alert is not None:
            alerts.append(alert)
        services.append(
            w.ServiceLoadOut(
                service=s.code,
                service_name=s.name,
                department=s.department,
                waiting=s.waiting,
                longest_wait_s=s.longest_wait_s,
                estimated_wait_s=s.estimated_wait_s,
                open_windows=s.open_windows,
                alert=alert,
            )
        )
    # Built without validation (200 windows at a large hall, every field from the store just
    # read and typed): the answer is the same, in a fraction of the time.
    windows = [
        w.WindowLoadOut.model_construct(
            number=x.number,
            label=x.label,
            department=x.department,
            services=[codes[s] for s in x.services if s in codes],
            state=w.WindowState(x.state.value),
            extended=x.extended,
            reserve=x.reserve,
            tide=tide_out(session, x.tide) if x.tide is not None else None,
            clerk=x.clerk,
            clerk_name=x.clerk_name,
            ticket=x.ticket,
            ticket_since=x.ticket_since,
            busy_share=x.busy_share,
        )
        for x in figures.windows
    ]
    spread = figures.spread()
    return w.HallMonitorOut(
        at=figures.now,
        local_date=figures.day,
        services=services,
        windows=windows,
        spread=w.SpreadOut(
            windows=spread.windows,
            highest=spread.highest,
            lowest=spread.lowest,
            spread=spread.spread,
            std_dev=spread.std_dev,
        ),
        alerts=alerts,
        last_event_id=last_event_id,
    )


LAST_EVENT = select(func.max(Event.id)).where(Event.hall_id == bindparam("hall_id"))


def hall_monitor(session: Session, who: Principal, now: datetime) -> w.HallMonitorOut:
    policy.require_hall_watcher(who)
    # First: the stream resumes after it.
    last = connection_of(session).execute(LAST_EVENT, {"hall_id": who.hall_id}).scalar() or 0
    return monitor_out(session, read_figures(session, who.hall_id, now), last)
