"""The clerk's actions at the counter as what they send: each action is one intent, or a dialog
that asks what it needs and then gives the intent (None: the clerk changed their mind)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.api.closing import ClosingClient
from clerkdesk.i18n import N_, _
from clerkdesk.screens.counter.issue_dialog import IssueDialog
from clerkdesk.screens.counter.reinstate_dialog import ReinstateDialog
from clerkdesk.screens.counter.ticket_dialogs import CallTicketDialog, OutcomeDialog, ParkDialog
from clerkdesk.screens.dialogs import Ask, ReasonDialog
from clerkdesk.state.actions import CLOSE, LEAVE, USUAL_OUTCOME, Answer, Intent
from clerkdesk.state.day_summary import summary_line
from clerkdesk.state.display import OUTCOME_NAMES
from clerkdesk.state.no_shows import (
    explain_no_show,
    explain_reinstate,
    no_show_reason,
    no_show_row,
    reinstatable,
)


def _code(answer: Answer) -> str:
    return answer.code if isinstance(answer, w.TicketOut) else ""


def call_next(window: int) -> Intent:
    return Intent(
        N_("Call next"),
        lambda c, k: c.call_next(window, key=k),
        lambda a: _("Called {ticket}.").format(ticket=_code(a)),
    )


def call_ticket(window: int, code: str) -> Ask[tuple[str, str] | None, Intent]:
    def then(answer: tuple[str, str] | None) -> Intent | None:
        if answer is None:
            return None
        return Intent(
            N_("Call ticket"),
            lambda c, k: c.call_ticket(window, answer[0], answer[1], key=k),
            lambda a: _("Called {ticket}.").format(ticket=_code(a)),
        )

    return Ask(CallTicketDialog(code), then)


def recall(ticket: w.TicketOut) -> Intent:
    return Intent(
        N_("Recall"),
        lambda c, k: c.recall(ticket.id, key=k),
        lambda a: _("Recalled {ticket}.").format(ticket=_code(a)),
    )


def start(ticket: w.TicketOut) -> Intent:
    return Intent(
        N_("Start"),
        lambda c, k: c.start(ticket.id, key=k),
        lambda a: _("Serving {ticket}.").format(ticket=_code(a)),
    )


def complete(ticket: w.TicketOut, outcome: w.Outcome = USUAL_OUTCOME) -> Intent:
    """`c`: the case ends with the usual outcome (done), no question asked."""

    def done(answer: Answer) -> str:
        if outcome == USUAL_OUTCOME:
            return _("{ticket} completed: the case is handled.").format(ticket=_code(answer))
        return _("{ticket} completed: {outcome}.").format(
            ticket=_code(answer), outcome=_(OUTCOME_NAMES[outcome])
        )

    return Intent(N_("Complete"), lambda c, k: c.complete(ticket.id, outcome, key=k), done)


def complete_as(ticket: w.TicketOut) -> Ask[w.Outcome | None, Intent]:
    """Shift+C: which outcome the case had."""

    def then(outcome: w.Outcome | None) -> Intent | None:
        return None if outcome is None else complete(ticket, outcome)

    return Ask(OutcomeDialog(ticket.code), then)


def no_show(
    ticket: w.TicketOut, now: datetime, policy: w.CounterPolicyOut
) -> Ask[str | None, Intent]:
    """The reason prefilled with the facts: how often called, how long since the first call."""

    def then(reason: str | None) -> Intent | None:
        if not reason:
            return None
        return Intent(
            N_("No-show"),
            lambda c, k: c.no_show(ticket.id, reason, key=k),
            lambda a: _(
                "{ticket} marked a no-show: back within {n} min, it can be reinstated."
            ).format(ticket=_code(a), n=policy.reinstate_minutes),
            explain=explain_no_show,
        )

    question = _("{ticket} did not come: why?").format(ticket=ticket.code)
    return Ask(ReasonDialog(question, no_show_reason(ticket, now)), then)


def reinstate(
    no_shows: list[w.TicketOut], policy: w.CounterPolicyOut, now: datetime, zone: ZoneInfo
) -> Ask[tuple[str, str] | None, Intent]:
    """A no-show came back: picked from this window's recent no-shows, or by the number the
    citizen holds (looked up first); the hall puts it at the front of the queue, in time."""
    recent = reinstatable(no_shows, policy, now)
    ids = {t.code: t.id for t in recent}
    rows = [(t.code, no_show_row(t, policy, zone)) for t in recent]

    def then(answer: tuple[str, str] | None) -> Intent | None:
        if answer is None:
            return None
        code, reason = answer

        async def send(c: HallClient, k: str) -> Answer:
            ticket_id = ids.get(code)
            if ticket_id is None:
                ticket_id = (await c.ticket_by_code(code)).id
            return await c.reinstate(ticket_id, reason, key=k)

        return Intent(
            N_("Reinstate"),
            send,
            lambda a: _("{ticket} is back in the queue, first in line for {service}.").format(
                ticket=_code(a), service=a.service_name if isinstance(a, w.TicketOut) else ""
            ),
            explain=explain_reinstate(code),
        )

    return Ask(ReinstateDialog(rows, policy.reinstate_minutes), then)


def issue(choices: list[tuple[str, str]]) -> Ask[str | None, Intent]:
    """A lead or an admin issues a ticket for the service picked; the hall gives the number."""

    def then(service: str | None) -> Intent | None:
        if service is None:
            return None
        return Intent(
            N_("Issue"),
            lambda c, k: c.issue(service, key=k),
            lambda a: _("Ticket {ticket} issued for {service}.").format(
                ticket=_code(a), service=a.service_name if isinstance(a, w.TicketOut) else ""
            ),
        )

    return Ask(IssueDialog(choices), then)


def service_choices(hall: w.HallOut, window: w.WindowOut | None) -> list[tuple[str, str]]:
    """The services to issue for: this window's, in its order, then the hall's others."""
    services = {s.code: s for s in hall.services}
    own = [c for c in (window.services if window else []) if c in services]
    others = [c for c in services if c not in own]
    departments = {d.code: d.name for d in hall.departments}
    return [
        (
            code,
            f"{services[code].name}  ({services[code].prefix}) · "
            f"{departments.get(services[code].department, services[code].department)}",
        )
        for code in own + others
    ]


def park(ticket: w.TicketOut) -> Ask[tuple[w.QueuePosition, str] | None, Intent]:
    def then(answer: tuple[w.QueuePosition, str] | None) -> Intent | None:
        if answer is None:
            return None
        return Intent(
            N_("Park"),
            lambda c, k: c.park(ticket.id, answer[0], answer[1], key=k),
            lambda a: _("{ticket} is back in the queue.").format(ticket=_code(a)),
        )

    return Ask(ParkDialog(ticket.code), then)


def pause(window: int) -> Intent:
    return Intent(
        N_("Pause"),
        lambda c, k: c.pause(window, key=k),
        lambda a: _("Window paused: nobody is called until you resume."),
    )


def resume(window: int) -> Intent:
    return Intent(
        N_("Resume"),
        lambda c, k: c.resume(window, key=k),
        lambda a: _("Window open again."),
    )


def leave(window: int) -> Intent:
    return Intent(
        LEAVE,
        lambda c, k: c.sign_out(window, key=k),
        lambda a: _("Signed out of window {n}.").format(n=window),
    )


@dataclass
class DayClosed:
    """The counts read just before the close (after it the window is no longer the clerk's
    to read), and the closing's record, for the summary."""

    counts: w.DayCounts | None = None


def close_for_the_day(window: int, day: DayClosed, zone: ZoneInfo) -> Intent:
    """Leaving at or past the window's end: its closing, with the day's summary."""

    async def send(c: HallClient, k: str) -> Answer:
        day.counts = (await c.counter(window)).counts
        return await ClosingClient(c).close_window(window, key=k)

    def done(answer: Answer) -> str:
        assert isinstance(answer, w.WindowClosingOut)
        return summary_line(answer, day.counts, zone)

    return Intent(CLOSE, send, done)
