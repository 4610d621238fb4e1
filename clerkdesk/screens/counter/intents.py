"""The clerk's actions at the counter as what they send: each action is one intent, or a dialog
that asks what it needs and then gives the intent (None: the clerk changed their mind)."""

from __future__ import annotations

from clerkdesk.api import schemas as w
from clerkdesk.i18n import N_, _
from clerkdesk.screens.counter.ticket_dialogs import CallTicketDialog, OutcomeDialog, ParkDialog
from clerkdesk.screens.dialogs import Ask, ReasonDialog
from clerkdesk.state.actions import LEAVE, Answer, Intent


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


def complete(ticket: w.TicketOut) -> Ask[w.Outcome | None, Intent]:
    def then(outcome: w.Outcome | None) -> Intent | None:
        if outcome is None:
            return None
        return Intent(
            N_("Complete"),
            lambda c, k: c.complete(ticket.id, outcome, key=k),
            lambda a: _("{ticket} completed.").format(ticket=_code(a)),
        )

    return Ask(OutcomeDialog(ticket.code), then)


def no_show(ticket: w.TicketOut) -> Ask[str | None, Intent]:
    def then(reason: str | None) -> Intent | None:
        if not reason:
            return None
        return Intent(
            N_("No-show"),
            lambda c, k: c.no_show(ticket.id, reason, key=k),
            lambda a: _("{ticket} marked a no-show.").format(ticket=_code(a)),
        )

    question = _("{ticket} did not come: why?").format(ticket=ticket.code)
    return Ask(ReasonDialog(question, _("Called three times, did not come")), then)


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
