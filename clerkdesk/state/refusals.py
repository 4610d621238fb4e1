"""The hall's refusals in the clerk's language: translated by their stable code, saying what to do.

An unknown code falls back to the server's own English message, which also says what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from clerkdesk.api import schemas as w
from clerkdesk.api.errors import ApiError, HallClientError, HallUnreachable
from clerkdesk.i18n import N_, _, ngettext
from clerkdesk.state.actions import COUNTER_ACTIONS, TICKET_ACTIONS, CounterAction, applies
from clerkdesk.state.display import duration, local_time, status_name

Params = dict[str, Any]


def _since(params: Params, zone: ZoneInfo) -> str:
    try:
        return local_time(datetime.fromisoformat(str(params["since"])), zone)
    except (KeyError, ValueError):
        return "?"


def _too_soon(p: Params, _z: ZoneInfo) -> str:
    seconds = int(p.get("retry_after_s", 1))
    return ngettext(
        "Too soon after the last call: wait {n} second, then press again.",
        "Too soon after the last call: wait {n} seconds, then press again.",
        seconds,
    ).format(n=seconds)


def _wait(p: Params, default_s: int = 15 * 60) -> str:
    """How long a sign-in must wait, as a duration ("15 min"): the hall's `retry_after_s`, or
    the older `minutes_left`."""
    if "retry_after_s" in p:
        seconds = int(p["retry_after_s"])
    elif "minutes_left" in p:
        seconds = int(p["minutes_left"]) * 60
    else:
        seconds = default_s
    return duration(timedelta(seconds=max(1, seconds)))


def _locked(p: Params, _z: ZoneInfo) -> str:
    return _("Too many wrong passwords: try again in {wait}, or ask an admin.").format(
        wait=_wait(p)
    )


def _delayed(p: Params, _z: ZoneInfo) -> str:
    return _("Too many wrong passwords: wait {wait} before the next try.").format(wait=_wait(p, 60))


def _bad_credentials(p: Params, _z: ZoneInfo) -> str:
    """Wrong, and how many tries are left before sign-in must wait (when the hall says)."""
    if "tries_left" not in p:
        return _("Staff number or password is wrong: check both and try again.")
    tries = int(p["tries_left"])
    if tries <= 0 and "retry_after_s" in p:  # that was the last try: the wait starts now
        return _locked(p, _z)
    if tries <= 0:
        return _("Staff number or password is wrong: one more and sign-in must wait.")
    return ngettext(
        "Staff number or password is wrong: {n} try left, check both.",
        "Staff number or password is wrong: {n} tries left, check both.",
        tries,
    ).format(n=tries)


def _codes(p: Params, key: str = "tickets", shown: int = 2) -> str:
    """The first few ticket codes of a refusal, so that the sentence fits one line."""
    codes = [str(code) for code in p.get(key, ())]
    return ", ".join(codes[:shown]) + ("…" if len(codes) > shown else "")


def _still_waiting(p: Params, _z: ZoneInfo) -> str:
    count = len(p.get("tickets", ())) or 1
    text = ngettext(
        "{n} citizen still waits ({tickets}): serve them first, or ask to extend.",
        "{n} citizens still wait ({tickets}): serve them first, or ask to extend.",
        count,
    ).format(n=count, tickets=_codes(p))
    if p.get("pinned"):  # handed to a window or clerk not here: not this window's to call
        text += " " + _(
            "{tickets} waits for another window or clerk: ask the duty lead to hand it to yours."
        ).format(tickets=_codes(p, "pinned"))
    return text


_EXPLAIN: dict[str, Callable[[Params, ZoneInfo], str]] = {
    "citizens_still_waiting": _still_waiting,
    "ticket_code_ambiguous": lambda p, z: _(
        "Two tickets today are {ticket}: call one of them by its id, {ids}."
    ).format(ticket=p.get("ticket", "?"), ids=_codes(p, "ids")),
    "too_soon": _too_soon,
    "locked_out": _locked,  # halls before too_many_tries
    "too_many_tries": _locked,
    "queue_empty": lambda p, z: _("Nobody is waiting for this window: wait for the next ticket."),
    "ticket_in_hand": lambda p, z: _(
        "{ticket} is still at your counter: complete it, mark a no-show or park it."
    ).format(ticket=p.get("ticket", "?")),
    "window_held": lambda p, z: _("Window {window} is held by {holder} since {since}.").format(
        window=p.get("window", "?"), holder=p.get("holder", "?"), since=_since(p, z)
    ),
    "illegal_transition": lambda p, z: _(
        "That ticket is {state} now: this cannot be done; the screen shows it."
    ).format(state=status_name(str(p.get("current", "?")))),
    "reason_required": lambda p, z: _(
        "{ticket} is not next in line ({next} is): give a reason to call it out of turn."
    ).format(ticket=p.get("ticket", "?"), next=p.get("next", "?")),
    "window_paused": lambda p, z: _("The window is paused: resume it before calling."),
    "not_your_window": lambda p, z: _(
        "You are no longer signed in at this window: pick a window again."
    ),
    "other_department": lambda p, z: _(
        "Window {window} belongs to another department: pick one of yours."
    ).format(window=p.get("window", "?")),
    "service_not_at_window": lambda p, z: _(
        "Ticket {ticket} is for a service this window does not serve."
    ).format(ticket=p.get("ticket", "?")),
    "window_not_found": lambda p, z: _(
        "Window {window} is no longer in this hall: pick a window again."
    ).format(window=p.get("key", "?")),
    "ticket_not_found": lambda p, z: _("No ticket {ticket} today: check the number.").format(
        ticket=p.get("key", "?")
    ),
    "bad_credentials": _bad_credentials,
    "sign_in_delayed": _delayed,
    "token_expired": lambda p, z: _("Your sign-in has ended: sign in again."),
    "token_unknown": lambda p, z: _("Your sign-in has ended: sign in again."),
    "token_missing": lambda p, z: _("Your sign-in has ended: sign in again."),
    "role_required": lambda p, z: _(
        "Your account does not have the role for this: ask an admin to grant it."
    ),
    "window_not_visible": lambda p, z: _(
        "This window is not yours to watch: sign in there, or ask the duty lead."
    ),
    "window_not_open": lambda p, z: _(
        "The window is outside opening hours now: there is no end to extend."
    ),
    "extension_pending": lambda p, z: _(
        "This window already asked to extend: wait for the duty lead's decision."
    ),
    "database_unavailable": lambda p, z: _(
        "The hall database is not answering: nothing was changed; try again shortly."
    ),
    "handed_to_other_window": lambda p, z: _(
        "{ticket} was handed to another window or clerk: leave it to them."
    ).format(ticket=p.get("ticket", "?")),
}


_DECISION_STATES: dict[str, str] = {
    "approved": N_("approved"),
    "denied": N_("denied"),
    "withdrawn": N_("withdrawn"),
    "confirmed": N_("confirmed"),
    "rejected": N_("rejected"),
    "covered": N_("covered by an extension"),
}


def _state(p: Params) -> str:
    state = str(p.get("status", "?"))
    return _(_DECISION_STATES[state]) if state in _DECISION_STATES else state


# The duty lead's decisions: where a code reads differently than at the counter.
_EXPLAIN_DECISION: dict[str, Callable[[Params, ZoneInfo], str]] = {
    "own_request": lambda p, z: _(
        "This is your own request: another duty lead or an admin must decide it."
    ),
    "other_department": lambda p, z: _(
        "Window {window} belongs to another department: its own duty lead decides."
    ).format(window=p.get("window", "?")),
    "own_window": lambda p, z: _(
        "You held window {window} after the request: another lead or an admin decides it."
    ).format(window=p.get("window", "?")),
    "extension_decided": lambda p, z: _(
        "This request is already {state}: the list shows it now."
    ).format(state=_state(p)),
    "overrun_decided": lambda p, z: _(
        "This overrun is already {state}: the list shows it now."
    ).format(state=_state(p)),
    "extension_not_found": lambda p, z: _("That request is gone: the list shows what is left."),
    "overrun_not_found": lambda p, z: _("That overrun is gone: the list shows what is left."),
}


def explain_decision(error: HallClientError, zone: ZoneInfo | None = None) -> str:
    """`explain`, for a refusal of the duty lead's decisions."""
    if isinstance(error, ApiError):
        found = _EXPLAIN_DECISION.get(error.code)
        if found is not None:
            return found(error.params, zone or ZoneInfo("Asia/Shanghai"))
    return explain(error, zone)


def explain(error: HallClientError, zone: ZoneInfo | None = None) -> str:
    """One short sentence for the clerk: what happened and what to do."""
    if isinstance(error, HallUnreachable):
        return _("Cannot reach the hall service: check the network; retrying by itself.")
    if isinstance(error, ApiError):
        found = _EXPLAIN.get(error.code)
        if found is not None:
            return found(error.params, zone or ZoneInfo("Asia/Shanghai"))
        return error.message
    return str(error)


# --- the workstation's own refusals: a key whose action cannot be done now -------------------
#
# The footer offers only what can be done now; a key pressed for anything else says why here,
# in one line with what to do. The counter's rules are the table of clerkdesk.state.actions
# (`applies`, TICKET_ACTIONS): the reason is read from the same table, so an action added there
# is explained without more; an action with a rule of its own adds one entry to
# `_WHY_NOT_AT_COUNTER`.


@dataclass(frozen=True)
class CounterNow:
    """What decides whether the counter's actions can be done now."""

    loaded: bool
    online: bool
    held: bool  # the clerk holds the window
    ticket: str  # the code of the ticket at hand ("" when none)
    status: w.TicketStatus | None  # of the ticket at hand
    paused: bool
    extension_pending: bool  # this window's request to extend waits for the duty lead
    keys: Callable[[str], str]  # an action's keys as the footer shows them ("F2 n")


def offline_refusal(label: str) -> str:
    return _("Offline: “{action}” cannot be sent until the hall answers again.").format(
        action=_(label)
    )


def _in_hand(now: CounterNow) -> str:
    if now.status == w.TicketStatus.called:
        return _("{ticket} is called: start serving it, mark a no-show or park it first.").format(
            ticket=now.ticket
        )
    return _("{ticket} is being served: complete it or park it first.").format(ticket=now.ticket)


def _by_ticket(action: CounterAction, now: CounterNow) -> str:
    """Why not, from the ticket states the action is for (TICKET_ACTIONS)."""
    wanted = TICKET_ACTIONS.get(action.name, frozenset())
    if now.paused and action.name in ("call_next", "call_ticket"):
        return _("The window is paused: resume it ({keys}) before calling.").format(
            keys=now.keys("resume")
        )
    if now.status is None and wanted and None not in wanted:
        return _("No citizen at the counter: call the next one first ({keys}).").format(
            keys=now.keys("call_next")
        )
    if now.status is not None and None in wanted and now.status not in wanted:
        return _in_hand(now)
    if now.status == w.TicketStatus.called and w.TicketStatus.serving in wanted:
        return _("{ticket} is not being served yet: start first ({keys}).").format(
            ticket=now.ticket, keys=now.keys("start")
        )
    if now.status == w.TicketStatus.serving and w.TicketStatus.called in wanted:
        return _("{ticket} is being served already: complete it or park it.").format(
            ticket=now.ticket
        )
    return _("“{action}” cannot be done now.").format(action=_(action.label))


def _why_not_extend(action: CounterAction, now: CounterNow) -> str:
    if now.extension_pending:
        return _("This window already asked to extend: wait for the duty lead's decision.")
    return _("Asking to extend opens with the closing banner, before the window's end.")


def _why_not_toggle(action: CounterAction, now: CounterNow) -> str:
    """Pause and resume share a key: the reason of the one that key means now."""
    meant = "resume" if now.paused else "pause"
    if action.name != meant:
        action = next(a for a in COUNTER_ACTIONS if a.name == meant)
    if now.status is not None and not now.paused:
        return _in_hand(now)
    return _by_ticket(action, now)


_WHY_NOT_AT_COUNTER: dict[str, Callable[[CounterAction, CounterNow], str]] = {
    "extend": _why_not_extend,
    "pause": _why_not_toggle,
    "resume": _why_not_toggle,
}


def counter_refusal(name: str, now: CounterNow, closing: bool = False) -> str | None:
    """Why the counter's action `name` cannot be done now; None when it can (then the footer
    offers it). `closing`: the closing banner shows (extending is offered)."""
    action = next((a for a in COUNTER_ACTIONS if a.name == name), None)
    if action is None:
        return None
    if not now.loaded:
        if not now.online:
            return offline_refusal(action.label)
        return _("The counter is still being read: press again in a moment.")
    if not applies(name, now.status, now.paused, now.held, closing):
        if not now.held:
            return _("You are no longer signed in at this window: pick a window again.")
        why = _WHY_NOT_AT_COUNTER.get(name, _by_ticket)
        return why(action, now)
    if not now.online:
        return offline_refusal(action.label)
    return None


@dataclass(frozen=True)
class LeadNow:
    """What decides whether the duty lead's decisions can be taken now."""

    online: bool
    request: bool  # a request is highlighted in the inbox
    requests: int  # requests waiting
    own_request: bool  # the highlighted request is the lead's own
    overrun: bool  # a pending overrun is highlighted
    overruns: int  # overruns waiting for a decision
    own_overrun: bool
    admin: bool
    unconfirmed_years: bool
    leave_focused: bool = False  # the claims and leave requests have the focus (a, d there)
    leave_item: bool = False  # a claim or leave request is highlighted there
    leave_items: int = 0  # claims and leave requests waiting


def lead_refusal(name: str, label: str, now: LeadNow) -> str:
    """Why the lead's decision `name` cannot be taken now (the footer hides or greys it)."""
    if now.leave_focused and name in ("approve", "approve_minutes", "deny"):
        if name == "approve_minutes":
            return _("Other minutes are for extension requests: Tab back to them.")
        if not now.leave_item:
            if now.leave_items:
                return _("Highlight the claim or leave request to decide first.")
            return _("No claim or leave request waits for your decision.")
    elif name == "confirm_year":
        if not now.admin:
            return _("Only an admin confirms a year's holiday swaps.")
        if not now.unconfirmed_years:
            return _("No year's holiday swaps wait to be confirmed.")
    elif name in ("confirm_overrun", "reject_overrun"):
        if not now.overrun:
            if now.overruns:
                return _("Highlight an overrun that waits for a decision first.")
            return _("No overrun waits for a decision.")
        if now.own_overrun:
            return _("This overrun is your own: another duty lead or an admin decides it.")
    else:
        if not now.request:
            if now.requests:
                return _("Highlight the request to decide first.")
            return _("No request waits for your decision.")
        if now.own_request:
            return _("This is your own request: another duty lead or an admin must decide it.")
    if not now.online:
        return offline_refusal(label)
    return _("“{action}” cannot be done now.").format(action=_(label))
