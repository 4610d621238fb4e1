"""The duty lead's hall: the monitor's snapshot and tide windows (潮汐窗口)."""

from __future__ import annotations

from fastapi import Path

from clerkdesk.api import report_schemas as rw
from clerkdesk.api import schemas as w
from clerkdesk.hall.monitor import day_report as monitor_day_report
from clerkdesk.hall.monitor.snapshot import hall_monitor
from clerkdesk.hall.routes.deps import HallDep, PostDep, TokenDep
from clerkdesk.hall.routes.table import RouteTable
from clerkdesk.hall.windows import tide

router = RouteTable(tags=["monitor"])
WindowNo = Path(ge=1, le=9999, description="The window's number as shown above the counter")


@router.get("/hall/monitor", response_model=w.HallMonitorOut)
def monitor(hall: HallDep, token: TokenDep) -> w.HallMonitorOut:
    """The hall now (leads and admins): per service its queue, per window its state, the busy
    shares and their spread, the congestion alerts with the windows that could help."""
    return hall.read(token, hall_monitor)


@router.get("/hall/day-report/{local_date}", response_model=rw.DayReportOut)
def day_report(hall: HallDep, token: TokenDep, local_date: w.HallDate) -> rw.DayReportOut:
    """One service day per service and per window (leads and admins): issued, served,
    no-shows, hand-offs, waits and service times, same-day completion, extensions, overruns,
    the tide windows' share and the busy-share spread (what `clerkdesk report day` prints)."""
    return hall.read(
        token, lambda s, who, now: monitor_day_report.day_report(s, who, local_date, now)
    )


@router.post("/windows/{number}/tide", response_model=w.TideOut, status_code=201)
def open_tide(body: w.OpenTide, hall: HallDep, post: PostDep, number: int = WindowNo) -> w.TideOut:
    """Re-point the window to congested services (first in its order), or open a reserve
    window, until `until` or until revoked; a tide in force there is replaced."""
    return hall.write(
        *post.of(body),
        lambda s, who, now: tide.open_tide(s, who, number, body, now),
        status_code=201,
    )


@router.delete("/windows/{number}/tide", response_model=w.TideOut)
def end_tide(hall: HallDep, post: PostDep, number: int = WindowNo) -> w.TideOut:
    """Revoke the window's tide: it calls its own services again (tickets already called stay)."""
    return hall.write(*post.of(), lambda s, who, now: tide.end_tide(s, who, number, now))
