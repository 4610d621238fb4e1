"""Closing time: the hall calendar, the closing banner, extension requests and their decisions,
overruns, closing a window, and the admin's confirmation of a year's day types."""

from __future__ import annotations

from fastapi import Path, Query

from clerkdesk.api import schemas as w
from clerkdesk.hall.calendar import days as calendar_days
from clerkdesk.hall.closing import close_window as window_close
from clerkdesk.hall.closing import extensions, overruns
from clerkdesk.hall.closing import inbox as duty_lead
from clerkdesk.hall.closing import status as closing
from clerkdesk.hall.routes.deps import HallDep, PostDep, TokenDep
from clerkdesk.hall.routes.table import RouteTable

router = RouteTable(tags=["closing"])
WindowNo = Path(ge=1, le=9999, description="The window's number as shown above the counter")
ExtensionId = Path(ge=1, le=2**53, description="The request's id (from its event or the inbox)")
OverrunId = Path(ge=1, le=2**53, description="The overrun's id (from its event or the list)")


# --- calendar -------------------------------------------------------------------------------


@router.get("/calendar/today", response_model=w.CalendarToday)
def calendar_today(hall: HallDep, token: TokenDep) -> w.CalendarToday:
    """Today's day type and hours, whether the hall is open now; leads and admins also see the
    years whose official holiday swaps are not confirmed."""
    return hall.read(token, calendar_days.calendar_today)


@router.get("/calendar/days/{local_date}", response_model=w.CalendarDayOut)
def calendar_day(hall: HallDep, token: TokenDep, local_date: w.HallDate) -> w.CalendarDayOut:
    """The day type and opening hours of one hall-local date (YYYY-MM-DD)."""
    return hall.read(token, lambda s, who, _now: calendar_days.calendar_day(s, who, local_date))


@router.post("/admin/calendar/confirm-year", response_model=w.ConfirmedYearOut)
def confirm_year(body: w.ConfirmYear, hall: HallDep, post: PostDep) -> w.ConfirmedYearOut:
    """An admin confirms that the calendar holds the year's official swaps (admin only)."""
    return hall.write(
        *post.of(body),
        lambda s, who, now: calendar_days.confirm_year_by_admin(s, who, body, now),
    )


# --- a window's closing ---------------------------------------------------------------------


@router.get("/windows/{number}/closing", response_model=w.ClosingStatus)
def closing_status(hall: HallDep, token: TokenDep, number: int = WindowNo) -> w.ClosingStatus:
    """What the closing banner shows: the window's end, the countdown, who still waits and the
    minutes they need, and the extension request (its holder, its leads, admins)."""
    return hall.read(token, lambda s, who, now: closing.closing_status(s, who, number, now))


@router.post("/windows/{number}/extensions", response_model=w.ExtensionOut, status_code=201)
def request_extension(
    body: w.RequestExtension,
    hall: HallDep,
    post: PostDep,
    number: int = WindowNo,
) -> w.ExtensionOut:
    """The clerk at the window asks to keep it open `minutes` past its current end."""
    return hall.write(
        *post.of(body),
        lambda s, who, now: extensions.request_extension(s, who, number, body, now),
        status_code=201,
    )


@router.post("/windows/{number}/close", response_model=w.WindowClosingOut)
def close_window(hall: HallDep, post: PostDep, number: int = WindowNo) -> w.WindowClosingOut:
    """Close the window for its opening stretch: records the actual end (and an overrun past
    the end), signs the clerk out, applies the end-of-day rule to tickets left waiting."""
    return hall.write(
        *post.of(),
        lambda s, who, now: window_close.close_window(s, who, number, now),
    )


# --- the duty lead's decisions --------------------------------------------------------------


@router.get("/extensions", response_model=list[w.ExtensionInboxItem])
def list_extensions(
    hall: HallDep, token: TokenDep, status: w.ExtensionStatus | None = Query(default=None)
) -> list[w.ExtensionInboxItem]:
    """Today's requests and every pending one, with context; a lead sees their department's,
    an admin the hall's, a clerk their own. `status=pending` is the lead's inbox."""
    return hall.read(token, lambda s, who, now: duty_lead.list_extensions(s, who, status, now))


@router.get("/extensions/{extension_id}", response_model=w.ExtensionInboxItem)
def get_extension(
    hall: HallDep, token: TokenDep, extension_id: int = ExtensionId
) -> w.ExtensionInboxItem:
    return hall.read(token, lambda s, who, now: duty_lead.get_extension(s, who, extension_id, now))


@router.post("/extensions/{extension_id}/approve", response_model=w.ExtensionOut)
def approve_extension(
    body: w.ApproveExtension,
    hall: HallDep,
    post: PostDep,
    extension_id: int = ExtensionId,
) -> w.ExtensionOut:
    """Approve (optionally other minutes than asked); never one's own request."""
    return hall.write(
        *post.of(body),
        lambda s, who, now: extensions.approve(s, who, extension_id, body, now),
    )


@router.post("/extensions/{extension_id}/deny", response_model=w.ExtensionOut)
def deny_extension(
    body: w.DenyExtension,
    hall: HallDep,
    post: PostDep,
    extension_id: int = ExtensionId,
) -> w.ExtensionOut:
    """Deny with a reason the clerk sees; never one's own request."""
    return hall.write(
        *post.of(body),
        lambda s, who, now: extensions.deny(s, who, extension_id, body, now),
    )


@router.get("/overruns", response_model=list[w.OverrunOut])
def list_overruns(
    hall: HallDep, token: TokenDep, status: w.OverrunStatus | None = Query(default=None)
) -> list[w.OverrunOut]:
    """Today's overruns and every pending one (scoped like GET /extensions)."""
    return hall.read(token, lambda s, who, now: overruns.list_overruns(s, who, status, now))


@router.post("/overruns/{overrun_id}/confirm", response_model=w.OverrunOut)
def confirm_overrun(
    body: w.ConfirmOverrun,
    hall: HallDep,
    post: PostDep,
    overrun_id: int = OverrunId,
) -> w.OverrunOut:
    return hall.write(
        *post.of(body),
        lambda s, who, now: overruns.decide(s, who, overrun_id, True, body.note, now),
    )


@router.post("/overruns/{overrun_id}/reject", response_model=w.OverrunOut)
def reject_overrun(
    body: w.RejectOverrun,
    hall: HallDep,
    post: PostDep,
    overrun_id: int = OverrunId,
) -> w.OverrunOut:
    return hall.write(
        *post.of(body),
        lambda s, who, now: overruns.decide(s, who, overrun_id, False, body.reason, now),
    )
