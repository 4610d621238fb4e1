"""The pure ticket rules: the state machine and the fair calling order (no database, no clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clerkdesk.hall.rules.counter_policy import (
    CounterPolicy,
    NoShowWait,
    no_show_wait,
    reinstate_until,
)
from clerkdesk.hall.rules.queue_order import (
    NORMAL_RANK,
    PRIORITY_RANK,
    Waiting,
    effective_rank,
    order_for_window,
)
from clerkdesk.hall.rules.ticket_states import (
    TERMINAL,
    Action,
    IllegalTransition,
    allowed_actions,
    next_state,
)

STATES = ["waiting", "called", "serving", "done", "no_show", "cancelled"]
ACTIONS = [a for a in Action if a != Action.issue]  # issuing creates a ticket; it has no "from"

# DESIGN.md, "States", written out by hand: (from, action) -> to. Every other pair is illegal.
LEGAL = {
    ("waiting", Action.call): "called",
    ("called", Action.recall): "called",
    ("called", Action.start): "serving",
    ("serving", Action.complete): "done",
    ("called", Action.no_show): "no_show",
    ("called", Action.park): "waiting",
    ("serving", Action.park): "waiting",
    ("waiting", Action.cancel): "cancelled",
    ("called", Action.cancel): "cancelled",
    ("waiting", Action.carry_over): "waiting",  # the end-of-day rule: waits for the next opening
    ("no_show", Action.reinstate): "waiting",
    # 转办: a case handed to another department waits in its queue (a lead may re-route a
    # waiting one); its receiver sends it back; a case its sender asked back returns when done
    ("waiting", Action.hand_off): "waiting",
    ("called", Action.hand_off): "waiting",
    ("serving", Action.hand_off): "waiting",
    ("called", Action.send_back): "waiting",
    ("serving", Action.send_back): "waiting",
    ("serving", Action.back_to_me): "waiting",
    # a case handed to a window (or clerk) that closes for the day before calling it waits in
    # its service's queue instead, at its place
    ("waiting", Action.unpin): "waiting",
}
NOW = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


# --- the state machine ----------------------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS, ids=str)
def test_every_state_and_action_pair(state: str, action: Action) -> None:
    expected = LEGAL.get((state, action))
    if expected is not None:
        assert next_state(state, action) == expected
        return
    with pytest.raises(IllegalTransition) as refused:
        next_state(state, action)
    assert (refused.value.current, refused.value.action) == (state, action)
    assert state in str(refused.value)  # the refusal names the current state


@pytest.mark.parametrize("state", STATES)
def test_allowed_actions_are_exactly_the_legal_ones(state: str) -> None:
    assert set(allowed_actions(state)) == {a for (s, a) in LEGAL if s == state}


def test_terminal_states_are_done_no_show_and_cancelled() -> None:
    assert frozenset({"done", "no_show", "cancelled"}) == TERMINAL
    assert allowed_actions("done") == allowed_actions("cancelled") == []
    assert allowed_actions("no_show") == [Action.reinstate]  # the citizen came back


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(ACTIONS), max_size=30))
def test_no_sequence_of_actions_leaves_a_terminal_state(actions: list[Action]) -> None:
    """Whatever anyone presses, a finished ticket stays finished (a no-show leaves only by
    being reinstated) and refusals change nothing."""
    state = "waiting"
    for action in actions:
        try:
            after = next_state(state, action)
        except IllegalTransition as refused:
            assert refused.current == state
            continue
        assert state not in TERMINAL or (state, action) == ("no_show", Action.reinstate)
        if action == Action.recall:
            assert after == state == "called"  # recall keeps it called
        state = after
    assert state in STATES


# --- fair order -----------------------------------------------------------------------------

PRIORITIES = sorted(PRIORITY_RANK)


@st.composite
def waiting_tickets(draw: st.DrawFn) -> list[Waiting]:
    size = draw(st.integers(0, 25))
    tickets = []
    for ticket_id in range(1, size + 1):
        priority = draw(st.sampled_from(PRIORITIES))
        slot = None
        if priority == "appointment":
            slot = NOW + timedelta(minutes=draw(st.integers(-60, 60)))
        tickets.append(
            Waiting(
                ticket_id=ticket_id,
                service_id=draw(st.integers(1, 5)),
                priority=priority,
                queue_at=NOW - timedelta(minutes=draw(st.integers(0, 90))),
                appointment_at=slot,
            )
        )
    return tickets


window_services = st.lists(st.integers(1, 5), min_size=1, max_size=4, unique=True)


def test_the_priority_classes_come_in_the_design_order() -> None:
    rank = PRIORITY_RANK
    assert rank["transferred"] < rank["green_channel"] < rank["appointment"] < rank["normal"]
    assert max(rank.values()) == NORMAL_RANK


@settings(max_examples=60, deadline=None)
@given(waiting_tickets(), window_services)
def test_the_order_holds_every_ticket_of_the_window_once(
    tickets: list[Waiting], services: list[int]
) -> None:
    ordered = order_for_window(tickets, services, NOW)
    assert sorted(t.ticket_id for t in ordered) == sorted(
        t.ticket_id for t in tickets if t.service_id in services
    )


@settings(max_examples=60, deadline=None)
@given(waiting_tickets(), window_services)
def test_priority_then_service_order_then_queue_time(
    tickets: list[Waiting], services: list[int]
) -> None:
    ordered = order_for_window(tickets, services, NOW)
    keys = [
        (effective_rank(t, NOW), services.index(t.service_id), t.queue_at, t.ticket_id)
        for t in ordered
    ]
    assert keys == sorted(keys)


@settings(max_examples=60, deadline=None)
@given(waiting_tickets(), window_services, st.randoms(use_true_random=False))
def test_the_order_does_not_depend_on_how_the_tickets_were_listed(
    tickets: list[Waiting], services: list[int], random: Random
) -> None:
    shuffled = list(tickets)
    random.shuffle(shuffled)
    assert order_for_window(shuffled, services, NOW) == order_for_window(tickets, services, NOW)


@given(st.integers(-120, 120))
def test_an_appointment_counts_only_once_its_slot_has_come(minutes: int) -> None:
    ticket = Waiting(
        1, 1, "appointment", NOW - timedelta(hours=1), NOW + timedelta(minutes=minutes)
    )
    due = minutes <= 0
    assert effective_rank(ticket, NOW) == (PRIORITY_RANK["appointment"] if due else NORMAL_RANK)


def test_green_channel_and_a_due_appointment_go_before_earlier_normal_tickets() -> None:
    normal = Waiting(1, service_id=1, priority="normal", queue_at=NOW - timedelta(hours=1))
    elderly = Waiting(2, service_id=2, priority="green_channel", queue_at=NOW)
    due = Waiting(3, 1, "appointment", NOW - timedelta(minutes=30), NOW - timedelta(minutes=5))
    not_due = Waiting(4, 1, "appointment", NOW - timedelta(minutes=40), NOW + timedelta(hours=1))
    ordered = order_for_window([not_due, normal, elderly, due], [1, 2], NOW)
    # The slot at 11:00 has not come: that ticket waits as a normal one, by when it joined.
    assert [t.ticket_id for t in ordered] == [2, 3, 1, 4]


# --- the counter policy ---------------------------------------------------------------------


def test_a_no_show_waits_for_the_policys_recalls_and_seconds() -> None:
    policy = CounterPolicy()  # one recall, 60 s since the first call
    called = NOW
    assert no_show_wait(policy, 0, called, NOW + timedelta(seconds=1)) == NoShowWait(1, 59)
    assert no_show_wait(policy, 1, called, NOW + timedelta(seconds=30.5)) == NoShowWait(0, 30)
    assert no_show_wait(policy, 0, called, NOW + timedelta(seconds=90)) == NoShowWait(1, 0)
    assert no_show_wait(policy, 1, called, NOW + timedelta(seconds=60)) is None
    assert no_show_wait(CounterPolicy(0, 0), 0, called, called) is None


def test_a_no_show_may_be_reinstated_for_the_policys_minutes() -> None:
    assert reinstate_until(CounterPolicy(), NOW) == NOW + timedelta(minutes=30)
    assert reinstate_until(CounterPolicy(reinstate_minutes=5), NOW) == NOW + timedelta(minutes=5)
