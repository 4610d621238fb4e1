"""The clerk's actions at the counter: one table drives the key bindings, the footer and the
command palette. Each action sits on a function key and a letter; `id` lets users remap keys."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient, new_key
from clerkdesk.api.errors import ApiError
from clerkdesk.i18n import N_


@dataclass(frozen=True)
class CounterAction:
    name: str  # the screen's action_<name>, also the binding id "counter.<name>"
    fkey: str
    letter: str
    label: str  # N_-marked: translate when shown
    help: str  # N_-marked: the command palette's longer description
    keys_shown: str = ""  # how the keys read when not "F5 c": a shifted F-key ("⇧F5 C")
    footer: bool = True  # False: a rare action, in the palette and the keys panel only


LEAVE = N_("Leave")  # also the label of the intent that ends the counter screen
EXTEND = N_("Extend")  # also the label of the extension request's intent
CLOSE = N_("Close the window")  # leaving at or past the window's end: its closing

COUNTER_ACTIONS: tuple[CounterAction, ...] = (
    CounterAction("call_next", "f2", "n", N_("Call next"), N_("Call the next citizen in line")),
    CounterAction("recall", "f3", "r", N_("Recall"), N_("Call the same ticket again")),
    CounterAction("start", "f4", "s", N_("Start"), N_("The citizen has come: start serving")),
    # c: the usual outcome of a case, "done" (USUAL_OUTCOME); Shift+C (Shift+F5 reads F17 in
    # a terminal) asks which other outcome it had.
    CounterAction("complete", "f5", "c", N_("Done"), N_("Finish the case as done (handled)")),
    CounterAction(
        "complete_as", "f17", "C", N_("Outcome…"), N_("Finish the case: pick its outcome"), "⇧F5 C"
    ),
    CounterAction("no_show", "f6", "x", N_("No-show"), N_("The citizen did not come: give why")),
    CounterAction("park", "f7", "p", N_("Park"), N_("Send the ticket back to the queue")),
    CounterAction("call_ticket", "f8", "t", N_("Call ticket"), N_("Call a given ticket, reason")),
    # 转办 (issue 12): the counter's fourth verb, next to park (F7): Shift+F7 (F19) or h
    CounterAction(
        "hand_off",
        "f19",
        "h",
        N_("Hand off"),
        N_("Hand the case to another department, window or clerk, with a note"),
        "⇧F7 h",
    ),
    CounterAction(
        "send_back",
        "f20",
        "k",
        N_("Send back"),
        N_("Send a handed-over case back to its sender, with a reason"),
        "⇧F8 k",
        footer=False,
    ),
    CounterAction(
        "show_chain",
        "f21",
        "o",
        N_("Chain"),
        N_("Every hand-off of the ticket at hand: from whom, when, the notes"),
        "⇧F9 o",
        footer=False,
    ),
    CounterAction(
        "back_to_me",
        "f22",
        "g",
        N_("Back to me"),
        N_("Ask a case you handed off back: it returns once they finish it"),
        "⇧F10 g",
        footer=False,
    ),
    CounterAction(
        "reinstate",
        "f18",
        "u",
        N_("Reinstate"),
        N_("A no-show came back: first in line for its service"),
        "⇧F6 u",
        footer=False,
    ),
    CounterAction(  # named on the empty counter instead of the footer (the footer is full)
        "issue_ticket",
        "f14",
        "i",
        N_("Issue"),
        N_("Issue a ticket for a citizen"),
        "⇧F2 i",
        footer=False,
    ),
    CounterAction("pause", "f9", "b", N_("Pause"), N_("Pause the window: no calls")),
    CounterAction("resume", "f9", "b", N_("Resume"), N_("Resume calling at the window")),
    CounterAction("extend", "f10", "e", EXTEND, N_("Ask the duty lead to keep the window open")),
    CounterAction("leave", "f12", "l", LEAVE, N_("Sign out of the window")),
)
ACTION_NAMES = frozenset(a.name for a in COUNTER_ACTIONS)
TICKET_ACTIONS: dict[str, frozenset[w.TicketStatus | None]] = {
    "call_next": frozenset({None}),
    "call_ticket": frozenset({None}),
    "pause": frozenset({None}),
    "resume": frozenset({None, w.TicketStatus.called, w.TicketStatus.serving}),
    "leave": frozenset({None}),
    "recall": frozenset({w.TicketStatus.called}),
    "start": frozenset({w.TicketStatus.called}),
    "no_show": frozenset({w.TicketStatus.called}),
    "complete": frozenset({w.TicketStatus.serving}),
    "complete_as": frozenset({w.TicketStatus.serving}),
    "park": frozenset({w.TicketStatus.called, w.TicketStatus.serving}),
    "reinstate": frozenset({None, w.TicketStatus.called, w.TicketStatus.serving}),
    "issue_ticket": frozenset({None, w.TicketStatus.called, w.TicketStatus.serving}),
    "hand_off": frozenset({w.TicketStatus.called, w.TicketStatus.serving}),
    "send_back": frozenset({w.TicketStatus.called, w.TicketStatus.serving}),
    "show_chain": frozenset({w.TicketStatus.called, w.TicketStatus.serving}),
    "back_to_me": frozenset({None, w.TicketStatus.called, w.TicketStatus.serving}),
}
USUAL_OUTCOME = w.Outcome.done
"""What `c` completes with: the hall's own default, the end of an ordinary case. The same for
every service and every time, so that a clerk knows what the key does without looking; any
other outcome is one key away (Shift+C)."""
ROLE_ACTIONS: dict[str, frozenset[w.Role]] = {
    "issue_ticket": frozenset({w.Role.lead, w.Role.admin}),
}
"""Actions only some roles have: issuing tickets at the workstation is for duty leads and admins
(the hall's role table lets them; a one-window office has no kiosk). Others are not offered
them at all: no key, no palette command."""


def actions_for(roles: list[w.Role]) -> tuple[CounterAction, ...]:
    """The counter's actions for a person with these roles, in the table's order."""
    return tuple(
        a
        for a in COUNTER_ACTIONS
        if a.name not in ROLE_ACTIONS or not ROLE_ACTIONS[a.name].isdisjoint(roles)
    )


def applies(
    name: str, status: w.TicketStatus | None, paused: bool, held: bool, closing: bool = False
) -> bool:
    """Is the action offered now? (Shown in the footer; the server still decides.) `closing`:
    the closing banner shows and no extension request is pending; extending needs it, whatever
    the ticket at hand."""
    if not held:
        return name == "leave"
    if name == "extend":
        return closing
    if (name == "pause" and paused) or (name == "resume" and not paused):
        return False
    if name in ("call_next", "call_ticket") and paused:
        return False
    return status in TICKET_ACTIONS[name]


Answer = w.TicketOut | w.WindowOut | w.ExtensionOut | w.WindowClosingOut
Send = Callable[[HallClient, str], Awaitable[Answer]]
Done = Callable[[Answer], str]
Explain = Callable[[ApiError, ZoneInfo], str | None]


@dataclass
class Intent:
    """One action the clerk means to do. Its Idempotency-Key is made once and kept until the
    server answers, so sending it again after a dropped connection does it only once."""

    label: str  # N_-marked
    send: Send
    done: Done  # the line to show once the server has answered
    key: str = field(default_factory=new_key)
    explain: Explain | None = None  # the hall's refusal in this action's words (None: the usual)
