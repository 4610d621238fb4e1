"""Who sees what of an event (events/projection.py), as a table: the reader's roles and
department × the ticket's service and window → what of the ticket reaches them.

The hall is the demo hall's shape: 不动产登记 (budongchan) serves bdc-transfer at windows 1 and 2
and bdc-query at window 2; 综合受理 (zonghe) serves bdc-query and hukou at window 8; hukou is
公安户政's (huzheng) service at window 4; 市场监管 (shichang) serves biz-license at window 3.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from clerkdesk.api import schemas as w
from clerkdesk.api.schemas import Role
from clerkdesk.hall.events.projection import (
    Audience,
    ServingDepartments,
    View,
    project,
    ticket_view,
)
from tests.conftest import local

HALL = ServingDepartments.of(
    services=[
        ("bdc-transfer", "budongchan"),
        ("bdc-query", "budongchan"),
        ("hukou", "huzheng"),
        ("biz-license", "shichang"),
    ],
    windows=[
        (1, "budongchan", ["bdc-transfer"]),
        (2, "budongchan", ["bdc-transfer", "bdc-query"]),
        (3, "shichang", ["biz-license"]),
        (4, "huzheng", ["hukou"]),
        (8, "zonghe", ["bdc-query", "hukou"]),
        (10, None, ["hukou"]),  # a window of no department serves for nobody in particular
    ],
)

LI_HUA = Audience(frozenset({Role.clerk}), "budongchan")
WANG_FANG = Audience(frozenset({Role.clerk}), "zonghe")
CHEN_MING = Audience(frozenset({Role.clerk}), "shichang")
ZHAO_MIN = Audience(frozenset({Role.clerk, Role.lead}), "shichang")  # 市场监管's duty lead
ZHANG_WEI = Audience(frozenset({Role.clerk, Role.lead}), None)  # the hall's duty lead
ADMIN = Audience(frozenset({Role.admin}), None)
KIOSK = Audience(frozenset({Role.kiosk}), None)
BOARD = Audience(frozenset(), None)  # a role with no staff rights (the hall board, later)
ADMIN_IN_A_DEPARTMENT = Audience(frozenset({Role.admin}), "shichang")


def ticket(service: str, window: int | None = None, **changes: object) -> w.TicketOut:
    fields: dict[str, object] = {
        "id": 7,
        "code": "A007",
        "service": service,
        "service_name": "二手房转移登记",
        "status": w.TicketStatus.called if window else w.TicketStatus.waiting,
        "priority": w.Priority.green_channel,
        "appointment_at": local("2026-12-11 10:00"),
        "issued_at": local("2026-12-11 09:12"),
        "local_date": date(2026, 12, 11),
        "window": window,
        "called_at": local("2026-12-11 09:40") if window else None,
        "called_by": "1001" if window else None,
        "recall_count": 1,
        "started_at": None,
        "finished_at": None,
        "outcome": None,
        "reason": "叫号两次未到",
        "notes": "房产继承，材料三份，联系电话 138xxxx",
        "estimated_minutes": 20,
    }
    return w.TicketOut.model_validate({**fields, **changes})


@pytest.mark.parametrize(
    ("reader", "service", "window", "view"),
    [
        # The department whose service it is, wherever the ticket stands.
        (LI_HUA, "bdc-transfer", None, View.full),
        (LI_HUA, "bdc-query", 8, View.full),
        # A 综合受理 window serving it makes it 综合受理's too; called there, to the window's.
        (WANG_FANG, "bdc-query", None, View.full),
        (WANG_FANG, "hukou", 4, View.full),
        (WANG_FANG, "bdc-transfer", None, View.staff),
        (WANG_FANG, "bdc-transfer", 8, View.full),  # called to window 8 (out of the usual)
        # Another department's clerk, or its duty lead: the ticket without the citizen's notes.
        (CHEN_MING, "bdc-transfer", 1, View.staff),
        (CHEN_MING, "hukou", None, View.staff),
        (CHEN_MING, "biz-license", 3, View.full),
        (ZHAO_MIN, "bdc-query", 2, View.staff),
        (ZHAO_MIN, "biz-license", None, View.full),
        (LI_HUA, "hukou", 10, View.staff),
        (LI_HUA, "unknown-service", None, View.staff),
        # The hall-wide lead and admins see every ticket whole.
        (ZHANG_WEI, "hukou", None, View.full),
        (ADMIN, "bdc-transfer", 1, View.full),
        (ADMIN_IN_A_DEPARTMENT, "bdc-transfer", 1, View.full),
        # The kiosk and the board: number, service, window and state.
        (KIOSK, "bdc-transfer", 1, View.public),
        (KIOSK, "hukou", None, View.public),
        (BOARD, "bdc-query", 8, View.public),
    ],
)
def test_who_sees_a_ticket_how(
    reader: Audience, service: str, window: int | None, view: View
) -> None:
    assert ticket_view(reader, ticket(service, window), HALL) is view


def _event(kind: w.EventKind, **parts: object) -> w.EventOut:
    return w.EventOut.model_validate(
        {"id": 41, "kind": kind, "at": local("2026-12-11 09:40"), **parts}
    )


def test_the_serving_department_gets_the_event_as_it_was_written() -> None:
    event = _event(w.EventKind.ticket_called, ticket=ticket("bdc-transfer", 1))
    assert project(event, LI_HUA, HALL) is event
    assert project(event, ZHANG_WEI, HALL) is event


def test_another_department_gets_the_ticket_without_notes_or_reason_and_the_rest_as_is() -> None:
    original = ticket("bdc-transfer", 1)
    seen = project(_event(w.EventKind.ticket_no_show, ticket=original), CHEN_MING, HALL)
    assert seen.ticket is not None
    assert (seen.ticket.notes, seen.ticket.reason) == ("", None)
    assert seen.ticket.model_dump(exclude={"notes", "reason"}) == original.model_dump(
        exclude={"notes", "reason"}
    )


def test_the_kiosk_gets_number_service_window_and_state_only() -> None:
    original = ticket(
        "bdc-transfer",
        1,
        status=w.TicketStatus.done,
        started_at=local("2026-12-11 09:41"),
        finished_at=local("2026-12-11 09:58"),
        outcome=w.Outcome.materials_incomplete,
    )
    seen = project(_event(w.EventKind.ticket_completed, ticket=original), KIOSK, HALL).ticket
    assert seen is not None
    assert (seen.id, seen.code, seen.service, seen.service_name, seen.window, seen.status) == (
        7,
        "A007",
        "bdc-transfer",
        "二手房转移登记",
        1,
        w.TicketStatus.done,
    )
    held_back = {
        "notes": "",
        "reason": None,
        "called_by": None,
        "priority": w.Priority.normal,  # not "green channel": that says elderly or disabled
        "appointment_at": None,
        "started_at": None,
        "finished_at": None,
        "outcome": None,
    }
    assert {name: getattr(seen, name) for name in held_back} == held_back


def _staff(number: str) -> w.StaffOut:
    return w.StaffOut(
        id=1, staff_no=number, name="李华", department="budongchan", roles=[Role.clerk]
    )


def test_the_kiosk_gets_no_staff_matters_but_still_hears_that_they_happened() -> None:
    at = datetime(2026, 12, 11, 9, 30)
    extension = w.ExtensionOut(
        id=3,
        window=1,
        staff=_staff("1001"),
        status=w.ExtensionStatus.pending,
        local_date=date(2026, 12, 11),
        requested_at=at,
        minutes_requested=20,
        reason="两位群众材料复杂",
        scheduled_end=at,
        base_end=at,
        waiting_at_request=2,
        needed_at_request=35,
        minutes_approved=None,
        ends_at=None,
        decided_at=None,
        decided_by=None,
        decision_reason=None,
        auto_approved=False,
    )
    event = _event(w.EventKind.extension_requested, extension=extension)
    seen = project(event, KIOSK, HALL)
    assert (seen.id, seen.kind, seen.extension) == (41, w.EventKind.extension_requested, None)
    assert project(event, CHEN_MING, HALL) is event  # staff matters stay with the staff
    year = w.ConfirmedYearOut(year=2027, confirmed_at=at, confirmed_by="admin")
    assert project(_event(w.EventKind.calendar_updated, year=year), BOARD, HALL).year is None


def test_events_without_personal_data_reach_everyone_unchanged() -> None:
    for kind in (w.EventKind.hall_updated, w.EventKind.reset, w.EventKind.calendar_updated):
        event = _event(kind)
        for reader in (KIOSK, BOARD, CHEN_MING, ADMIN):
            assert project(event, reader, HALL) is event


@pytest.mark.parametrize(
    ("reader", "sees"),
    [
        (LI_HUA, True),  # her own department: she and her duty lead reload their screens
        (ZHANG_WEI, True),
        (ADMIN, True),
        (CHEN_MING, False),
        (ZHAO_MIN, False),  # another department's lead
        (KIOSK, False),
        (BOARD, False),
    ],
)
def test_whose_leave_changed_reaches_only_their_department_leads_and_admins(
    reader: Audience, sees: bool
) -> None:
    ledger = w.LedgerEventOut(staff_no="1001", department="budongchan", leave_request=7)
    event = w.EventOut(
        id=41, kind=w.EventKind.leave_requested, at=local("2026-12-11 10:00"), ledger=ledger
    )
    shown = project(event, reader, HALL)
    assert (shown.ledger == ledger) is sees
    assert shown.id == 41 and shown.kind is w.EventKind.leave_requested


ALERT = w.AlertOut(
    id=3,
    service="bdc-transfer",
    service_name="二手房转移登记",
    raised_at=local("2026-12-11 09:30"),
    cleared_at=None,
    waiting=12,
    longest_wait_s=1500,
    estimated_wait_s=3600,
    candidates=[8, 20],
)
TIDE = w.TideOut(
    id=5,
    window=8,
    services=["bdc-transfer"],
    started_at=local("2026-12-11 09:31"),
    until=local("2026-12-11 11:00"),
    ended_at=None,
    end_reason=None,
    started_by="2001",
    ended_by=None,
    reason="不动产过户排队",
    clerk=None,
    reserve=False,
)


@pytest.mark.parametrize(
    ("reader", "sees_alert", "sees_tide"),
    [
        (ZHANG_WEI, True, True),  # the hall's duty lead
        (ZHAO_MIN, True, True),  # a department's duty lead watches the hall too
        (ADMIN, True, True),
        (WANG_FANG, False, True),  # her counter follows a tide at once
        (LI_HUA, False, True),
        (KIOSK, False, False),
        (BOARD, False, False),
    ],
)
def test_congestion_alerts_reach_leads_and_admins_and_tides_the_staff(
    reader: Audience, sees_alert: bool, sees_tide: bool
) -> None:
    alert = w.EventOut(
        id=42, kind=w.EventKind.alert_raised, at=local("2026-12-11 09:30"), alert=ALERT
    )
    assert (project(alert, reader, HALL).alert == ALERT) is sees_alert
    tide = w.EventOut(id=43, kind=w.EventKind.tide_opened, at=local("2026-12-11 09:31"), tide=TIDE)
    assert (project(tide, reader, HALL).tide == TIDE) is sees_tide
