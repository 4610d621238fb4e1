"""The hall board's side of the hall (叫号屏): GET /board, and what its event stream carries
through a whole day at the demo hall: ticket numbers, services, windows and states, never a
citizen's note, a reason written about a case, or a name or staff number of the people at the
counters."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from clerkdesk.api import schemas as w
from clerkdesk.api.board import BoardClient
from clerkdesk.api.client import HallClient
from clerkdesk.api.closing import ClosingClient
from clerkdesk.api.events import EventSubscription
from clerkdesk.api.ledger import LedgerClient
from clerkdesk.demo import DEMO_STAFF
from tests.conftest import RunningHall, local, signed_in
from tests.load_helpers import Follower

NAMES = [p.name for p in DEMO_STAFF if p.role not in ("kiosk", "board")]
STAFF_NUMBERS = [p.staff_no for p in DEMO_STAFF if p.role not in ("kiosk", "board")]
NOTES = ["房产继承，材料三份，联系电话 13800000000", "轮椅，需协助"]
REASONS = [
    "需办营业执照，另附说明",
    "叫号两次未到",
    "材料回家取",
    "查询排队严重",
    "三位群众等候",
    "整理档案",
]


@pytest.fixture
async def board(hall: RunningHall) -> AsyncIterator[HallClient]:
    client = await signed_in(hall, "board1")
    yield client
    await client.aclose()


@pytest.fixture
async def chen_ming(hall: RunningHall) -> AsyncIterator[HallClient]:
    """陈明, a 市场监管 clerk, signed in at window 3."""
    client = await signed_in(hall, "1003")
    await client.sign_in(3)
    yield client
    await client.aclose()


def leaks(text: str) -> list[str]:
    """What of the people and their words shows in `text` (a JSON answer or event)."""
    found = [word for word in NAMES + NOTES + REASONS if word in text]
    found += [f'"{no}"' for no in STAFF_NUMBERS if f'"{no}"' in text]  # as a JSON value
    return found


async def _a_day_at_the_hall(
    hall: RunningHall,
    kiosk: HallClient,
    li_hua: HallClient,
    wang_fang: HallClient,
    chen_ming: HallClient,
    zhang_wei: HallClient,
) -> None:
    """Friday 2026-12-11 from 09:00 to closing, with everything that writes a name or a note."""
    clock = hall.clock
    deed = await kiosk.issue("bdc-transfer", notes=NOTES[0])  # A001
    wheelchair = await kiosk.issue("hukou", w.Priority.green_channel, notes=NOTES[1])  # F001
    await kiosk.issue("bdc-query")  # C001
    clock.advance(minutes=1)
    await li_hua.call_next(1)  # A001 to window 1
    clock.advance(seconds=30)
    await li_hua.recall(deed.id)
    await li_hua.start(deed.id)
    clock.advance(minutes=5)
    await li_hua.hand_off(deed.id, REASONS[0], service="biz-license")
    await chen_ming.call_next(3)  # A001 to window 3
    await chen_ming.start(deed.id)
    clock.advance(minutes=10)
    await chen_ming.complete(deed.id, notes="已办结，营业执照另取")
    green = await wang_fang.call_next(8)  # F001, the green channel first
    assert green.id == wheelchair.id
    clock.advance(seconds=20)
    await wang_fang.recall(green.id)
    clock.advance(seconds=70)
    await wang_fang.no_show(green.id, REASONS[1])
    clock.advance(seconds=5)
    query = await wang_fang.call_next(8)  # C001
    await wang_fang.park(query.id, w.QueuePosition.back, REASONS[2])
    await zhang_wei.open_tide(2, ["bdc-query"], REASONS[3])
    await LedgerClient(li_hua).claim(
        local("2026-12-11 08:00"), local("2026-12-11 09:00"), REASONS[5]
    )
    clock.set(local("2026-12-11 17:10"))
    asked = await ClosingClient(li_hua).request_extension(1, 45, REASONS[4])
    await ClosingClient(zhang_wei).approve_extension(asked.id)
    clock.set(local("2026-12-11 17:20"))
    await li_hua.pause(1)
    await li_hua.resume(1)


async def test_the_boards_stream_through_a_day_carries_no_name_and_no_note(
    hall: RunningHall,
    kiosk: HallClient,
    li_hua: HallClient,
    wang_fang: HallClient,
    chen_ming: HallClient,
    zhang_wei: HallClient,
    board: HallClient,
) -> None:
    lead_view = await Follower(EventSubscription(zhang_wei, after=0)).start()
    board_view = await Follower(EventSubscription(board, after=0)).start()
    try:
        await _a_day_at_the_hall(hall, kiosk, li_hua, wang_fang, chen_ming, zhang_wei)
        newest = (await BoardClient(board).board()).last_event_id
        staff_saw = await lead_view.until(newest)
        board_saw = await board_view.until(newest)
    finally:
        await lead_view.close()
        await board_view.close()

    # The day wrote names and notes (the duty lead reads them all) ...
    written = "\n".join(e.model_dump_json() for e in staff_saw)
    everyone = {"李华", "王芳", "陈明", "张伟", '"1001"', '"1002"', '"1003"', '"2001"'}
    assert set(leaks(written)) >= {*everyone, *NOTES, *REASONS[:5]}
    # ... and the board heard of every event, in order, with none of them.
    assert [e.id for e in board_saw] == [e.id for e in staff_saw]
    assert [leaks(e.model_dump_json()) for e in board_saw] == [[] for _ in board_saw]
    # What it needs is there: each call and recall, with the number, the service and the window.
    calls = [
        (e.kind.value, e.ticket.code, e.ticket.service_name, e.ticket.window)
        for e in board_saw
        if e.ticket is not None
        and e.kind in (w.EventKind.ticket_called, w.EventKind.ticket_recalled)
    ]
    assert calls == [
        ("ticket.called", "A001", "不动产转移登记", 1),
        ("ticket.recalled", "A001", "不动产转移登记", 1),
        ("ticket.called", "A001", "营业执照办理", 3),
        ("ticket.called", "F001", "户籍业务", 8),
        ("ticket.recalled", "F001", "户籍业务", 8),
        ("ticket.called", "C001", "不动产登记查询", 8),
    ]
    # A window is held, or paused, by nobody named.
    held = [
        (e.kind.value, e.window.number, e.window.holder.paused, e.window.holder.staff.name)
        for e in board_saw
        if e.window is not None
        and e.window.holder is not None
        and e.kind.value.startswith("window")
    ]
    assert held == [
        ("window.signed_in", 1, False, ""),
        ("window.signed_in", 8, False, ""),
        ("window.signed_in", 3, False, ""),
        ("window.paused", 1, True, ""),
        ("window.resumed", 1, False, ""),
    ]


async def test_what_the_board_reads_names_nobody(
    kiosk: HallClient, li_hua: HallClient, board: HallClient
) -> None:
    await kiosk.issue("bdc-transfer", notes=NOTES[0])
    await li_hua.call_next(1)
    answers = [
        (await BoardClient(board).board()).model_dump_json(),
        json.dumps([x.model_dump(mode="json") for x in await board.windows()], ensure_ascii=False),
        (await board.hall()).model_dump_json(),
    ]
    assert [leaks(text) for text in answers] == [[], [], []]
    window_1 = next(x for x in await board.windows() if x.number == 1)
    assert window_1.holder is not None  # held, by nobody named
    assert (window_1.holder.staff.staff_no, window_1.holder.staff.name) == ("", "")


async def test_the_board_starts_from_the_latest_calls_the_queues_and_the_hours(
    hall: RunningHall,
    kiosk: HallClient,
    li_hua: HallClient,
    wang_fang: HallClient,
    zhang_wei: HallClient,
    board: HallClient,
) -> None:
    for service in ("bdc-transfer", "bdc-transfer", "bdc-transfer", "hukou", "shebao-card"):
        await kiosk.issue(service)
        hall.clock.advance(seconds=20)
    first = await li_hua.call_next(1)  # A001 at 09:01:40
    hall.clock.advance(seconds=10)
    await wang_fang.call_next(8)  # K001 at 09:01:50 (window 8 calls 社保 before 户籍)
    hall.clock.advance(seconds=10)
    await li_hua.recall(first.id)  # A001 again at 09:02:00

    seen = await BoardClient(board).board()
    assert [(c.ticket, c.window, c.recall_count, c.called_at) for c in seen.calls] == [
        ("A001", 1, 1, local("2026-12-11 09:02:00")),
        ("K001", 8, 0, local("2026-12-11 09:01:50")),
    ]
    waiting = {q.service: q.waiting for q in seen.queues}
    assert (waiting["bdc-transfer"], waiting["hukou"], waiting["shebao-card"]) == (2, 1, 0)
    assert [q.prefix for q in seen.queues] == sorted(q.prefix for q in seen.queues)
    assert [(h.start, h.end) for h in seen.hours] == [
        (local("2026-12-11 09:00"), local("2026-12-11 17:30"))
    ]
    assert (seen.open_now, seen.closes_at, seen.extended_until) == (
        True,
        local("2026-12-11 17:30"),
        None,
    )

    # 17:10: 李华 asks for 45 minutes, 张伟 approves: the hall serves until 18:15 today.
    hall.clock.set(local("2026-12-11 17:10"))
    asked = await ClosingClient(li_hua).request_extension(1, 45, "三位群众等候")
    assert (await BoardClient(board).board()).extended_until is None  # asked, not approved
    await ClosingClient(zhang_wei).approve_extension(asked.id)
    assert (await BoardClient(board).board()).extended_until == local("2026-12-11 18:15")
    hall.clock.set(local("2026-12-11 18:16"))
    assert (await BoardClient(board).board()).extended_until is None  # past: nothing to announce
