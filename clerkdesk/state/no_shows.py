"""No-shows at the counter, without Textual: what the hall's policy still asks before a no-show
(the key says it instead of sending), the reason prefilled with the facts, the no-shows the
clerk may still reinstate, and the hall's refusals of both in the clerk's words.

The hall decides (409 `no_show_too_soon`, `reinstate_too_late`); the counter reads its policy
with the counter (`CounterState.policy`) only to say what is missing before asking.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from clerkdesk.api import schemas as w
from clerkdesk.api.errors import ApiError
from clerkdesk.i18n import _, ngettext
from clerkdesk.state.actions import Explain
from clerkdesk.state.display import duration, local_time, status_name


@dataclass(frozen=True)
class NoShowWait:
    """What the hall's policy still asks before a no-show: recalls, and whole seconds."""

    recalls: int
    seconds: int


def no_show_wait(
    policy: w.CounterPolicyOut, ticket: w.TicketOut, now: datetime
) -> NoShowWait | None:
    """None when `ticket` may be marked a no-show at `now` (the hall's rule: its least recalls
    and seconds since the first call); else what is still missing."""
    if ticket.called_at is None:
        return None  # not called: the hall names the state
    recalls = max(0, policy.no_show_min_recalls - ticket.recall_count)
    waited = (now - ticket.called_at).total_seconds()
    seconds = max(0, math.ceil(policy.no_show_min_seconds - waited))
    if recalls == 0 and seconds == 0:
        return None
    return NoShowWait(recalls, seconds)


def not_yet_text(code: str, wait: NoShowWait) -> str:
    """The no-show key's answer while the policy is not met: what to do first."""
    pause = duration(timedelta(seconds=wait.seconds))
    if wait.recalls and wait.seconds:
        return ngettext(
            "Not yet: recall {ticket} once more and wait {wait} before a no-show.",
            "Not yet: recall {ticket} {n} more times and wait {wait} before a no-show.",
            wait.recalls,
        ).format(ticket=code, n=wait.recalls, wait=pause)
    if wait.recalls:
        return ngettext(
            "Not yet: recall {ticket} once more before a no-show.",
            "Not yet: recall {ticket} {n} more times before a no-show.",
            wait.recalls,
        ).format(ticket=code, n=wait.recalls)
    return _("Not yet: wait {wait} more before marking {ticket} a no-show.").format(
        ticket=code, wait=pause
    )


def times_called(ticket: w.TicketOut) -> int:
    """The call and its recalls (halls before `times_called` send 0: count from the recalls)."""
    if ticket.times_called:
        return ticket.times_called
    return 0 if ticket.called_at is None else ticket.recall_count + 1


def no_show_reason(ticket: w.TicketOut, now: datetime) -> str:
    """The no-show dialog's reason, prefilled with the facts: "Called 2×, first called 1 min
    10 s ago"."""
    ago = duration(now - ticket.called_at) if ticket.called_at else "—"
    return _("Called {n}×, first called {ago} ago").format(n=times_called(ticket), ago=ago)


def explain_no_show(error: ApiError, _zone: ZoneInfo) -> str | None:
    """The hall's 409 `no_show_too_soon` (the workstation's clock ran ahead of the hall's)."""
    if error.code != "no_show_too_soon":
        return None
    p = error.params
    wait = NoShowWait(int(p.get("recalls_needed", 0)), int(p.get("seconds_left", 0)))
    return not_yet_text(str(p.get("ticket", "?")), wait)


# --- reinstating ---------------------------------------------------------------------------------


def reinstatable(
    no_shows: list[w.TicketOut], policy: w.CounterPolicyOut, now: datetime
) -> list[w.TicketOut]:
    """The no-shows that may still come back at `now` (the hall's policy window), latest first."""
    window = timedelta(minutes=policy.reinstate_minutes)
    return [t for t in no_shows if t.finished_at is not None and now < t.finished_at + window]


def no_show_row(ticket: w.TicketOut, policy: w.CounterPolicyOut, zone: ZoneInfo) -> str:
    """A no-show as the reinstate dialog lists it: number, service, when, until when."""
    marked = ticket.finished_at or ticket.issued_at
    until = marked + timedelta(minutes=policy.reinstate_minutes)
    return _("{ticket}  {service}  no-show at {time}, until {until}").format(
        ticket=ticket.code,
        service=ticket.service_name,
        time=local_time(marked, zone),
        until=local_time(until, zone),
    )


def explain_reinstate(code: str) -> Explain:
    """The hall's refusals of reinstating `code`, in words: not a no-show, too late, not one
    this clerk's department serves (the hall answers that as if there were no such ticket)."""

    def explain(error: ApiError, zone: ZoneInfo) -> str | None:
        p = error.params
        if error.code == "illegal_transition":
            return _("{ticket} is {state}, not a no-show: there is nothing to reinstate.").format(
                ticket=code, state=status_name(str(p.get("current", "?")))
            )
        if error.code == "reinstate_too_late":
            try:
                marked = local_time(datetime.fromisoformat(str(p["marked_at"])), zone)
            except (KeyError, ValueError):
                marked = "?"
            return _(
                "{ticket} was a no-show at {time}, over {minutes} min ago: issue a new ticket."
            ).format(ticket=code, time=marked, minutes=p.get("minutes", "?"))
        if error.code == "ticket_not_found":
            return _("No ticket {ticket} today that your department serves: check it.").format(
                ticket=code
            )
        return None

    return explain
