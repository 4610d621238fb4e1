"""The ticket state machine: which action is allowed from which state, and where it leads.

waiting → called → serving → done | no_show; called/serving → waiting (park); recall keeps a
ticket called and counts; waiting/called → cancelled; the end-of-day rule's carry-over keeps a
waiting ticket waiting (for the next opening, with the carried-over priority); no_show → waiting
(reinstate: the citizen came back, within the hall's policy window); called/serving → waiting
by a hand-off to another department (hand_off), by the receiver sending it back (send_back), and
serving → waiting when the receiver finishes a case its sender asked back (back_to_me: the
citizen returns to the sender's window); waiting → waiting when the window (or clerk) a case was
handed to closes for the day before calling it (unpin: it waits in its service's queue, at its
place). Anything else is refused, naming the current state.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    issue = "issue"
    call = "call"
    recall = "recall"
    start = "start"
    complete = "complete"
    no_show = "no_show"
    park = "park"
    cancel = "cancel"
    carry_over = "carry_over"
    reinstate = "reinstate"
    hand_off = "hand_off"
    send_back = "send_back"
    back_to_me = "back_to_me"
    unpin = "unpin"


WAITING, CALLED, SERVING, DONE, NO_SHOW, CANCELLED = (
    "waiting",
    "called",
    "serving",
    "done",
    "no_show",
    "cancelled",
)
TERMINAL = frozenset({DONE, NO_SHOW, CANCELLED})
"""Finished for the counts; only a no-show leaves it again, reinstated (policy permitting)."""

_TRANSITIONS: dict[Action, tuple[frozenset[str], str]] = {
    Action.call: (frozenset({WAITING}), CALLED),
    Action.recall: (frozenset({CALLED}), CALLED),
    Action.start: (frozenset({CALLED}), SERVING),
    Action.complete: (frozenset({SERVING}), DONE),
    Action.no_show: (frozenset({CALLED}), NO_SHOW),
    Action.park: (frozenset({CALLED, SERVING}), WAITING),
    Action.cancel: (frozenset({WAITING, CALLED}), CANCELLED),
    Action.carry_over: (frozenset({WAITING}), WAITING),
    Action.reinstate: (frozenset({NO_SHOW}), WAITING),
    Action.hand_off: (frozenset({WAITING, CALLED, SERVING}), WAITING),
    Action.send_back: (frozenset({CALLED, SERVING}), WAITING),
    Action.back_to_me: (frozenset({SERVING}), WAITING),
    Action.unpin: (frozenset({WAITING}), WAITING),
}


# Not frozen: Starlette clears `exc.__traceback__` after handling, which a frozen dataclass refuses.
@dataclass(eq=False)
class IllegalTransition(Exception):
    action: Action
    current: str
    allowed_from: frozenset[str]

    def __str__(self) -> str:
        allowed = ", ".join(sorted(self.allowed_from))
        return f"cannot {self.action.value} a ticket that is {self.current} (only from {allowed})"


def next_state(current: str, action: Action) -> str:
    """The state after `action`, or IllegalTransition naming the current state."""
    allowed_from, target = _TRANSITIONS[action]
    if current not in allowed_from:
        raise IllegalTransition(action, current, allowed_from)
    return target


def allowed_actions(current: str) -> list[Action]:
    return [action for action, (sources, _) in _TRANSITIONS.items() if current in sources]
