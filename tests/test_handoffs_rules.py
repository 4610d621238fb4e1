"""The pure rules of hand-offs (rules/handoffs.py, the pins in rules/queue_order.py) and what an
event of a hand-off shows to whom (events/projection.py): no database, no clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from clerkdesk.api import schemas as w
from clerkdesk.api.schemas import Role
from clerkdesk.hall.events.projection import Audience, ServingDepartments, View, project
from clerkdesk.hall.rules import handoffs as rules
from clerkdesk.hall.rules.queue_order import RETURN_RANK, Waiting, order_for_window
from tests.conftest import local

NOW = local("2026-12-11 10:00")
FRONT = rules.HandoffPolicy()
BY_ISSUE = rules.HandoffPolicy(placement=rules.Placement.issue_time)


def test_at_the_front_a_handed_off_ticket_is_transferred_in_from_now() -> None:
    place = rules.place_in_target_queue(FRONT, "normal", local("2026-12-11 09:02"), NOW)
    assert place == rules.QueuePlace("transferred", NOW)


def test_by_issue_time_it_keeps_its_class_and_its_issue_time() -> None:
    issued = local("2026-12-11 09:02")
    assert rules.place_in_target_queue(BY_ISSUE, "green_channel", issued, NOW) == (
        rules.QueuePlace("green_channel", issued)
    )


def test_front_puts_it_ahead_of_everyone_issue_time_ahead_of_those_who_came_later() -> None:
    """At window 5 (发票领用): H001 since 09:00, H002 since 09:30; D001 (issued 09:10) arrives
    from window 3 at 10:00."""
    h001 = Waiting(1, 8, "normal", local("2026-12-11 09:00"))
    h002 = Waiting(2, 8, "normal", local("2026-12-11 09:30"))
    orders = {}
    for settings in (FRONT, BY_ISSUE):
        place = rules.place_in_target_queue(settings, "normal", local("2026-12-11 09:10"), NOW)
        d001 = Waiting(3, 8, place.priority, place.queue_at)
        called = order_for_window([h001, h002, d001], [8, 9], NOW, 5)
        orders[settings.placement] = [t.ticket_id for t in called]
    assert orders == {rules.Placement.front: [3, 1, 2], rules.Placement.issue_time: [1, 3, 2]}


def test_a_ticket_handed_to_a_window_or_a_clerk_is_theirs_alone() -> None:
    """D001 handed to window 5; D002 to 赵丽 (staff 15), who holds window 8 now."""
    to_window = Waiting(1, 8, "transferred", NOW, target_window_id=5)
    to_clerk = Waiting(2, 8, "transferred", NOW, target_staff_id=15)
    anyone = Waiting(3, 8, "normal", NOW)
    tickets = [to_window, to_clerk, anyone]
    assert [t.ticket_id for t in order_for_window(tickets, [8], NOW, 5, holder_id=14)] == [1, 3]
    assert [t.ticket_id for t in order_for_window(tickets, [8], NOW, 8, holder_id=15)] == [2, 3]
    assert [t.ticket_id for t in order_for_window(tickets, [8], NOW, 9, holder_id=None)] == [3]


def test_a_case_returning_to_its_sender_is_first_at_that_window_only() -> None:
    """Back to window 3, ahead of a transferred-in ticket and a green-channel citizen there."""
    back = Waiting(1, 4, "transferred", NOW, None, 3, RETURN_RANK, RETURN_RANK, target_window_id=3)
    transferred = Waiting(2, 4, "transferred", NOW - timedelta(minutes=30))
    green = Waiting(3, 4, "green_channel", NOW - timedelta(hours=1))
    assert [t.ticket_id for t in order_for_window([green, transferred, back], [4], NOW, 3)] == [
        1,
        2,
        3,
    ]


@pytest.mark.parametrize(
    ("open_now", "opens_in", "accepted"),
    [
        (True, None, True),
        (False, 5, True),  # after lunch, within the 10 minutes to get there
        (False, 10, True),
        (False, 11, False),
        (False, None, False),  # nothing opens in the calendar's horizon
    ],
)
def test_only_to_a_service_open_now_or_before_the_citizen_could_arrive(
    open_now: bool, opens_in: int | None, accepted: bool
) -> None:
    reopen = None if opens_in is None else NOW + timedelta(minutes=opens_in)
    verdict = rules.admission(FRONT, open_now, reopen, NOW)
    assert verdict.accepted is accepted
    assert verdict.arrives_by == NOW + timedelta(minutes=10)
    assert verdict.next_opening == (None if open_now else reopen)


def test_flagged_when_handed_on_more_than_n_times() -> None:
    assert [rules.flagged(FRONT, n) for n in range(5)] == [False, False, False, False, True]
    assert rules.flagged(rules.HandoffPolicy(flag_after=1), 2)


def test_a_hand_off_waits_until_its_receiver_calls() -> None:
    at = local("2026-12-11 09:20")
    assert rules.waited_seconds(at, local("2026-12-11 09:25"), None, NOW) == 300
    assert rules.waited_seconds(at, None, local("2026-12-11 09:30"), NOW) == 600
    assert rules.waited_seconds(at, None, None, NOW) == 40 * 60


def test_a_case_counts_once_in_same_day_completion_with_its_whole_time_in_the_hall() -> None:
    """D001 (issued 09:02, three departments, done 10:02) appears in three rows; A001 (09:00 to
    09:20) in one."""
    d001 = rules.FinishedCase(1, local("2026-12-11 09:02"), local("2026-12-11 10:02"), 2)
    a001 = rules.FinishedCase(2, local("2026-12-11 09:00"), local("2026-12-11 09:20"), 0)
    found = rules.same_day_completion([d001, d001, a001, d001])
    assert found == rules.SameDayCompletion(2, 1, (3600 + 1200) / 2, 3600)
    assert rules.same_day_completion([]) == rules.SameDayCompletion(0, 0, None, None)


# --- what a hand-off event shows to whom --------------------------------------------------------

HALL = ServingDepartments.of(
    services=[("biz-license", "shichang"), ("tax-invoice", "shuiwu"),
              ("bdc-transfer", "budongchan")],
    windows=[(3, "shichang", ["biz-license"]), (5, "shuiwu", ["tax-invoice"]),
             (1, "budongchan", ["bdc-transfer"])],
)  # fmt: skip
NOTE = "营业执照已核发，需领用发票；缺法人身份证复印件"


def _handed_off_event() -> w.EventOut:
    ticket = w.TicketOut(
        id=1, code="D001", service="tax-invoice", service_name="发票领用",
        status=w.TicketStatus.waiting, priority=w.Priority.transferred, appointment_at=None,
        issued_at=local("2026-12-11 09:02"), local_date=date(2026, 12, 11), window=None,
        called_at=None, called_by=None, recall_count=0, started_at=None, finished_at=None,
        outcome=None, reason=NOTE, notes="", estimated_minutes=6, handoffs=1,
        chain_departments=["shichang", "shuiwu"],
    )  # fmt: skip
    handoff = w.HandOffOut(
        id=1, ticket_id=1, ticket="D001", seq=1, kind=w.HandOffKind.hand_off,
        state=w.HandOffState.open, at=NOW, from_window=3, from_staff="1003",
        from_staff_name="陈明", from_department="shichang", from_service="biz-license",
        to_service="tax-invoice", to_department="shuiwu", to_window=None, to_staff=None,
        to_staff_name=None, go_to_window=5, note=NOTE, called_at=None, ended_at=None,
        end_reason=None, back_asked_at=None, waited_seconds=0, flagged=False,
    )  # fmt: skip
    return w.EventOut(
        id=9, kind=w.EventKind.ticket_handed_off, at=NOW, ticket=ticket, handoff=handoff
    )


@pytest.mark.parametrize(
    ("reader", "view"),
    [
        (Audience(frozenset({Role.clerk}), "shichang"), View.full),  # the sender's department
        (Audience(frozenset({Role.clerk}), "shuiwu"), View.full),  # the receiver's
        (Audience(frozenset({Role.clerk, Role.lead}), None), View.full),  # the hall's duty lead
        (Audience(frozenset({Role.admin}), None), View.full),
        (Audience(frozenset({Role.clerk}), "budongchan"), View.staff),  # unrelated
        (Audience(frozenset({Role.clerk, Role.lead}), "budongchan"), View.staff),
        (Audience(frozenset({Role.kiosk}), None), View.public),
    ],
)
def test_the_note_reaches_the_chain_leads_and_admins_only(reader: Audience, view: View) -> None:
    event = _handed_off_event()
    seen = project(event, reader, HALL)
    assert seen.handoff is not None and seen.ticket is not None
    text = seen.model_dump_json()
    assert (NOTE in text) is (view is View.full)
    assert ("陈明" in text) is (view is View.full)
    assert seen.handoff.go_to_window == 5  # where the citizen goes reaches everyone
    assert (seen.handoff.from_staff is None) is (view is View.public)
    if view is View.public:
        assert seen.ticket.chain_departments == [] and seen.ticket.handoffs == 0
    else:
        assert seen.ticket.chain_departments == ["shichang", "shuiwu"]


def test_a_department_in_the_chain_reads_the_ticket_it_no_longer_serves() -> None:
    """D001 moved from 市场监管's licence to 税务's invoice: 市场监管 serves it no more, but its
    department is in the chain, so the ticket reaches it whole (its notes too)."""
    event = _handed_off_event()
    ticket = event.ticket
    assert ticket is not None
    assert "shichang" not in HALL.serve(ticket)
    seen = project(event, Audience(frozenset({Role.clerk}), "shichang"), HALL)
    assert seen is event
