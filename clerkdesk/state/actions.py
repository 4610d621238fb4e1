"""The clerk's actions at the counter: one table drives the key bindings, the footer and the
command palette. Each action sits on a function key and a letter; `id` lets users remap keys."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient, new_key
from clerkdesk.i18n import N_


@dataclass(frozen=True)
class CounterAction:
    name: str  # the screen's action_<name>, also the binding id "counter.<name>"
    fkey: str
    letter: str
    label: str  # N_-marked: translate when shown
    help: str  # N_-marked: the command palette's longer description


LEAVE = N_("Leave")  # also the label of the intent that ends the counter screen
EXTEND = N_("Extend")  # also the label of the extension request's intent

COUNTER_ACTIONS: tuple[CounterAction, ...] = (
    CounterAction("call_next", "f2", "n", N_("Call next"), N_("Call the next citizen in line")),
    CounterAction("recall", "f3", "r", N_("Recall"), N_("Call the same ticket again")),
    CounterAction("start", "f4", "s", N_("Start"), N_("The citizen has come: start serving")),
    CounterAction("complete", "f5", "c", N_("Complete"), N_("Finish the case and pick outcome")),
    CounterAction("no_show", "f6", "x", N_("No-show"), N_("The citizen did not come: give why")),
    CounterAction("park", "f7", "p", N_("Park"), N_("Send the ticket back to the queue")),
    CounterAction("call_ticket", "f8", "t", N_("Call ticket"), N_("Call a given ticket, reason")),
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
    "park": frozenset({w.TicketStatus.called, w.TicketStatus.serving}),
}


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


Answer = w.TicketOut | w.WindowOut | w.ExtensionOut
Send = Callable[[HallClient, str], Awaitable[Answer]]
Done = Callable[[Answer], str]


@dataclass
class Intent:
    """One action the clerk means to do. Its Idempotency-Key is made once and kept until the
    server answers, so sending it again after a dropped connection does it only once."""

    label: str  # N_-marked
    send: Send
    done: Done  # the line to show once the server has answered
    key: str = field(default_factory=new_key)
