"""The hall board's state without a screen: the display queue on a clock moved by hand, what
an event does to it, and how a call is written and spoken, in both languages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from clerkdesk.api import board_schemas as bw
from clerkdesk.api import schemas as w
from clerkdesk.i18n import set_language
from clerkdesk.state.board import (
    BoardCall,
    BoardState,
    CallQueue,
    Heard,
    call_words,
    closing_notice,
    hours_words,
    spoken_words,
    times_called_words,
)
from tests.conftest import local


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def zh() -> Iterator[None]:
    set_language("zh")
    yield
    set_language("en")


def call(code: str, window: int, recalls: int = 0, event_id: int = 1) -> BoardCall:
    return BoardCall(
        event_id, hash(code) % 1000, code, "户籍业务", window, local("2026-12-11 09:12"), recalls
    )


def ticket_event(
    kind: w.EventKind,
    ticket_id: int,
    code: str,
    status: w.TicketStatus,
    window: int | None,
    at: str,
) -> w.EventOut:
    ticket = w.TicketOut(
        id=ticket_id,
        code=code,
        service="hukou",
        service_name="户籍业务",
        status=status,
        priority=w.Priority.normal,
        appointment_at=None,
        issued_at=local("2026-12-11 09:00"),
        local_date=date(2026, 12, 11),
        window=window,
        called_at=local(at) if window else None,
        called_by=None,
        recall_count=1 if kind is w.EventKind.ticket_recalled else 0,
        started_at=None,
        finished_at=None,
        outcome=None,
        reason=None,
        notes="",
        estimated_minutes=10,
    )
    return w.EventOut(id=ticket_id * 10, kind=kind, at=local(at), ticket=ticket)


def test_three_calls_at_once_are_shown_one_after_the_other_each_for_its_time() -> None:
    queue = CallQueue(min_show_s=6.0)
    for code, window in (("F001", 4), ("A001", 1), ("C001", 8)):
        queue.push(call(code, window))
    assert queue.advance(100.0) == call("F001", 4)  # at once: nothing was showing
    assert queue.advance(100.1) is None
    assert queue.advance(105.9) is None  # F001 has not had its six seconds
    assert queue.advance(106.0) == call("A001", 1)
    assert queue.advance(112.0, busy=True) is None  # its announcement is still being spoken
    assert queue.advance(113.5) == call("C001", 8)
    assert queue.advance(500.0) is None  # nothing waits: C001 stays on
    assert queue.current == call("C001", 8)


def test_a_recall_is_announced_again_and_a_citizen_already_at_the_counter_is_not() -> None:
    state = BoardState(CallQueue(min_show_s=6.0))
    now = local("2026-12-11 09:12")
    called = ticket_event(
        w.EventKind.ticket_called, 1, "A001", w.TicketStatus.called, 1, "2026-12-11 09:12"
    )
    queued = ticket_event(
        w.EventKind.ticket_called, 2, "A002", w.TicketStatus.called, 2, "2026-12-11 09:12"
    )
    started = ticket_event(
        w.EventKind.ticket_started, 2, "A002", w.TicketStatus.serving, 2, "2026-12-11 09:12"
    )
    recalled = ticket_event(
        w.EventKind.ticket_recalled, 1, "A001", w.TicketStatus.called, 1, "2026-12-11 09:12"
    )
    assert state.heard(called, now) is Heard.reread
    assert state.queue.advance(0.0) is not None  # A001 on the display
    state.heard(queued, now)
    state.heard(started, now)  # A002's citizen came before the board got to A002
    state.heard(recalled, now)
    assert [c.ticket for c in state.queue.pending] == ["A001"]
    shown = state.queue.advance(6.0)
    assert shown is not None and (shown.ticket, shown.times_called) == ("A001", 2)
    assert [(c.ticket, c.times_called) for c in state.recent] == [("A001", 2), ("A002", 1)]


def test_a_call_heard_late_after_an_outage_is_listed_but_not_announced() -> None:
    state = BoardState()
    late = ticket_event(
        w.EventKind.ticket_called, 3, "C007", w.TicketStatus.called, 8, "2026-12-11 09:00"
    )
    state.heard(late, local("2026-12-11 09:05"))  # the board was offline for five minutes
    assert [c.ticket for c in state.recent] == ["C007"]
    assert list(state.queue.pending) == []


def test_the_board_reads_again_for_what_it_shows_and_not_for_the_staffs_matters() -> None:
    state = BoardState()
    now = local("2026-12-11 09:00")
    leave = w.EventOut(id=9, kind=w.EventKind.leave_requested, at=now)
    extension = w.EventOut(id=10, kind=w.EventKind.extension_decided, at=now)
    reset = w.EventOut(id=11, kind=w.EventKind.reset, at=now)
    assert [state.heard(e, now) for e in (leave, extension, reset)] == [
        Heard.nothing,
        Heard.reread,  # the closing notice may have changed
        Heard.reload,
    ]


BOARD = bw.BoardOut(
    at=local("2026-12-11 17:20"),
    hall_name="淮南市政务服务中心",
    timezone="Asia/Shanghai",
    local_date=date(2026, 12, 11),
    hours=[
        w.OpeningIntervalOut(start=local("2026-12-11 09:00"), end=local("2026-12-11 12:00")),
        w.OpeningIntervalOut(start=local("2026-12-11 13:30"), end=local("2026-12-11 17:30")),
    ],
    open_now=True,
    closes_at=local("2026-12-11 17:30"),
    next_opening=local("2026-12-14 09:00"),
    extended_until=local("2026-12-11 18:15"),
    calls=[],
    queues=[],
    last_event_id=0,
)


def test_the_words_in_english() -> None:
    assert call_words(call("A023", 5)) == "Ticket A023, please go to window 5"
    assert times_called_words(call("A023", 5, recalls=1)) == "call 2"
    assert times_called_words(call("A023", 5)) == ""
    assert hours_words(BOARD) == "Open today 09:00–12:00  13:30–17:30"
    assert closing_notice(BOARD) == "Extended service today until 18:15"
    closed = BOARD.model_copy(
        update={
            "hours": [],
            "open_now": False,
            "extended_until": None,
            "at": local("2026-12-12 10:00"),
        }
    )
    assert hours_words(closed) == "Closed today · opens 12-14 09:00"
    assert closing_notice(closed) == ""
    after_lunch = BOARD.model_copy(
        update={
            "open_now": False,
            "at": local("2026-12-11 12:10"),
            "next_opening": local("2026-12-11 13:30"),
        }
    )
    assert hours_words(after_lunch).endswith("· opens 13:30")


def test_the_words_in_chinese(zh: None) -> None:
    assert call_words(call("A023", 5)) == "请 A023 号到 5 号窗口"
    assert times_called_words(call("A023", 5, recalls=2)) == "第 3 次呼叫"
    assert hours_words(BOARD) == "今日服务时间 09:00–12:00  13:30–17:30"
    assert closing_notice(BOARD) == "今日延时服务至 18:15"


@pytest.mark.parametrize("board_language", ["zh", "en"])
def test_each_call_is_spoken_in_its_own_language_whatever_the_board_shows(
    board_language: str,
) -> None:
    set_language(board_language)
    try:
        assert spoken_words(call("A023", 5), "zh") == "请 A零二三 号到 5 号窗口"
        assert spoken_words(call("A023", 12), "en") == "Ticket A, 0, 2, 3, please go to window 12"
    finally:
        set_language("en")


def test_a_board_switched_on_shows_the_last_call_unspoken_until_the_next() -> None:
    latest = bw.BoardCallOut(
        ticket_id=4,
        ticket="A004",
        service="bdc-transfer",
        service_name="不动产转移登记",
        window=1,
        called_at=local("2026-12-11 10:02"),
        recall_count=1,
        status=w.TicketStatus.called,
    )
    state = BoardState(CallQueue(min_show_s=6.0))
    state.load(BOARD.model_copy(update={"calls": [latest]}), calls=True)
    assert state.queue.current is not None and state.queue.current.ticket == "A004"
    assert state.queue.advance(0.0) is None  # nothing to announce: it was called before
    now = local("2026-12-11 10:05")
    state.heard(
        ticket_event(
            w.EventKind.ticket_called, 5, "F005", w.TicketStatus.called, 4, "2026-12-11 10:05"
        ),
        now,
    )
    shown = state.queue.advance(0.1)  # the first new call takes the display at once
    assert shown is not None and shown.ticket == "F005"
