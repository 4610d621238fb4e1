"""The hall's refusals about overtime and comp leave (加班 / 调休), in the user's language:
translated by their stable code, saying what to do. Anything else goes to `refusals.explain`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from clerkdesk.api.errors import ApiError, HallClientError
from clerkdesk.i18n import _
from clerkdesk.state.refusals import explain

Params = dict[str, Any]


def _hours(minutes: object) -> str:
    try:
        return f"{int(str(minutes)) / 60:g}"
    except ValueError:
        return "?"


_EXPLAIN_LEDGER: dict[str, Callable[[Params], str]] = {
    "not_enough_leave": lambda p: _(
        "Not enough comp leave: {wanted} h asked, {free} h free (balance {balance} h)."
    ).format(
        wanted=_hours(p.get("wanted_minutes", 0)),
        free=_hours(int(p.get("available_minutes", 0)) - int(p.get("pending_minutes", 0))),
        balance=_hours(p.get("balance_minutes", 0)),
    ),
    "leave_in_past": lambda p: _("Leave starts today or later: pick a coming date."),
    "no_workdays": lambda p: _(
        "Those dates are all rest days or holidays: leave is needed on workdays only."
    ),
    "leave_started": lambda p: _(
        "This leave has begun and can no longer be cancelled: ask a lead for an adjustment."
    ),
    "leave_request_decided": lambda p: _("This leave request is already decided: reload."),
    "leave_request_not_found": lambda p: _("That leave request is gone: reload the list."),
    "not_your_request": lambda p: _(
        "Only the person who asked cancels a leave request: deny it instead."
    ),
    "claim_decided": lambda p: _("This overtime claim is already decided: reload."),
    "claim_not_found": lambda p: _("That overtime claim is gone: reload the list."),
    "claim_ends_first": lambda p: _("A claim ends after it starts: check the two times."),
    "claim_in_future": lambda p: _("A claim covers time already worked: end it at or before now."),
    "claim_too_long": lambda p: _("A claim covers at most 16 hours: claim each day on its own."),
    "own_request": lambda p: _("This is your own: another duty lead or an admin must decide it."),
    "other_department": lambda p: _(
        "{staff} is in another department: their own duty lead decides."
    ).format(staff=p.get("staff_no", "?")),
    "staff_not_found": lambda p: _("No staff member {staff} among those you lead.").format(
        staff=p.get("key", "?")
    ),
    "no_duty_session": lambda p: _(
        "The hall calendar has no duty session on {date}: add the session first."
    ).format(date=p.get("date", "?")),
}


def explain_ledger(error: HallClientError, zone: ZoneInfo | None = None) -> str:
    """One short sentence about a refused leave or overtime action: what happened, what to do."""
    if isinstance(error, ApiError):
        found = _EXPLAIN_LEDGER.get(error.code)
        if found is not None:
            return found(error.params)
    return explain(error, zone)
