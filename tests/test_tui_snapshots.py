"""Snapshots of the sign-in, window picker, counter and My leave screens, in Chinese and English,
at 80x24 and 120x40. Deterministic: a hall clock that stands still at 09:12 on Fri 2026-12-11, a
fixed set of tickets, and a fixed server address on screen instead of the test server's port.

Update on purpose only: `.venv/bin/pytest tests/test_tui_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.api.closing import ClosingClient
from clerkdesk.api.ledger import LedgerClient
from clerkdesk.api.schemas import Priority
from clerkdesk.clock import ManualClock
from clerkdesk.hall.store.engine import sqlite_url
from clerkdesk.i18n import set_language
from clerkdesk.screens.counter.handoff_dialog import HandOffDialog
from clerkdesk.screens.leave.screen import MyLeaveScreen
from clerkdesk.screens.start.window_picker import WindowPickerScreen
from clerkdesk.widgets.closing_banner import ClosingBanner
from clerkdesk.widgets.handoff_chain import HandOffChain
from tests.conftest import RunningHall, local, signed_in, start_hall
from tests.handoff_support import ZHAO_LI, add_staff, at_window
from tests.tui_support import app_for, at_counter, at_duty_lead, settled, wait_for

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
LANGS = ["zh", "en"]


async def _a_morning_at_window_8(hall: RunningHall) -> None:
    """09:00-09:12: tickets arrive; 王芳 serves a green-channel citizen, then starts on C001."""
    kiosk = await signed_in(hall, "kiosk1")
    wang = await signed_in(hall, "1002")
    await wang.sign_in(8)
    for service, priority, notes in (
        ("hukou", Priority.normal, ""),
        ("shebao-card", Priority.normal, ""),
        ("hukou", Priority.green_channel, "轮椅"),
        ("bdc-query", Priority.normal, "需查档案"),
        ("tax-invoice", Priority.normal, ""),
        ("gjj-withdraw", Priority.normal, ""),
        ("biz-change", Priority.normal, ""),
    ):
        await kiosk.issue(service, priority=priority, notes=notes)
        hall.clock.advance(seconds=40)
    green = await wang.call_next(8)
    await wang.start(green.id)
    hall.clock.advance(minutes=3, seconds=20)
    await wang.complete(green.id)
    hall.clock.advance(seconds=30)
    current = await wang.call_next(8)
    hall.clock.advance(seconds=50)
    await wang.start(current.id)
    hall.clock.set(local("2026-12-11 09:12"))
    for client in (kiosk, wang):
        await client.aclose()


@pytest.fixture(scope="module")
def morning(
    tmp_path_factory: pytest.TempPathFactory, _seeded_sqlite_file: Path
) -> Iterator[RunningHall]:
    path = tmp_path_factory.mktemp("snapshots") / "hall.sqlite3"
    shutil.copyfile(_seeded_sqlite_file, path)
    hall = start_hall(sqlite_url(path), ManualClock(local("2026-12-11 09:00")), seeded=True)
    asyncio.run(_a_morning_at_window_8(hall))
    yield hall
    hall.server.stop()


@pytest.fixture(params=LANGS)
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language("en")


@pytest.mark.parametrize("size", SIZES)
def test_sign_in(snap_compare: Any, morning: RunningHall, lang: str, size: tuple[int, int]) -> None:
    app = app_for(morning, staff_no=None)
    assert snap_compare(app, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_window_picker(
    snap_compare: Any, morning: RunningHall, lang: str, size: tuple[int, int]
) -> None:
    app = app_for(morning, staff_no=None)  # 刘洋, 综合受理, not at a window yet

    async def sign_in(pilot: Pilot[Any]) -> None:
        await pilot.press(*"1004", "enter", *"demo", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
        await wait_for(pilot, lambda: app.screen.query_one("DataTable").row_count == 2)
        await settled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=sign_in)


@pytest.mark.parametrize("size", SIZES)
def test_counter(snap_compare: Any, morning: RunningHall, lang: str, size: tuple[int, int]) -> None:
    app = app_for(morning)  # 王芳, back at window 8 where she is serving C001

    async def arrive(pilot: Pilot[Any]) -> None:
        screen = await at_counter(pilot)
        await wait_for(pilot, lambda: not screen._refreshing)
        await settled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=arrive)


# --- the duty lead screen at 17:10 ------------------------------------------------------------


async def _wang_fang_asks_to_extend(hall: RunningHall) -> None:
    """17:05: three citizens take tickets for window 8; 17:10: 王芳 asks for 20 minutes."""
    kiosk = await signed_in(hall, "kiosk1")
    wang = await signed_in(hall, "1002")
    await wang.sign_in(8)
    for _citizen in range(3):
        await kiosk.issue("hukou")
    hall.clock.set(local("2026-12-11 17:10"))
    await ClosingClient(wang).request_extension(8, 20, "三位群众等候，其中一位材料较多")
    for client in (kiosk, wang):
        await client.aclose()


@pytest.fixture(scope="module")
def closing_time(
    tmp_path_factory: pytest.TempPathFactory, _seeded_sqlite_file: Path
) -> Iterator[RunningHall]:
    path = tmp_path_factory.mktemp("snapshots-closing") / "hall.sqlite3"
    shutil.copyfile(_seeded_sqlite_file, path)
    hall = start_hall(sqlite_url(path), ManualClock(local("2026-12-11 17:05")), seeded=True)
    asyncio.run(_wang_fang_asks_to_extend(hall))
    yield hall
    hall.server.stop()


def test_duty_lead(snap_compare: Any, closing_time: RunningHall, lang: str) -> None:
    app = app_for(closing_time, staff_no=None)  # 张伟, the duty lead, without a window

    async def open_inbox(pilot: Pilot[Any]) -> None:
        await pilot.press(*"2001", "enter", *"demo", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
        await pilot.press("d")
        screen = await at_duty_lead(pilot)
        await wait_for(pilot, lambda: len(screen.desk.inbox) == 1)
        await settled(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_inbox)


# --- the counter near closing: the banner at 17:05 -------------------------------------------


async def _three_citizens_before_closing(hall: RunningHall) -> None:
    """16:50: three citizens take tickets for window 8 (企业变更登记, 户籍业务, 公积金提取)."""
    kiosk = await signed_in(hall, "kiosk1")
    for service in ("biz-change", "hukou", "gjj-withdraw"):
        await kiosk.issue(service)
    await kiosk.aclose()
    hall.clock.set(local("2026-12-11 17:05"))


@pytest.fixture(scope="module")
def near_closing(
    tmp_path_factory: pytest.TempPathFactory, _seeded_sqlite_file: Path
) -> Iterator[RunningHall]:
    path = tmp_path_factory.mktemp("snapshots-near-closing") / "hall.sqlite3"
    shutil.copyfile(_seeded_sqlite_file, path)
    hall = start_hall(sqlite_url(path), ManualClock(local("2026-12-11 16:50")), seeded=True)
    asyncio.run(_three_citizens_before_closing(hall))
    yield hall
    hall.server.stop()


def test_counter_near_closing(snap_compare: Any, near_closing: RunningHall, lang: str) -> None:
    app = app_for(near_closing)  # 王芳 at window 8, 25 minutes before closing

    async def arrive(pilot: Pilot[Any]) -> None:
        screen = await at_counter(pilot)
        await wait_for(pilot, lambda: screen.query_one(ClosingBanner).display)
        await wait_for(pilot, lambda: not screen._refreshing)
        await settled(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=arrive)


# --- My leave: 王芳's comp leave on Friday morning --------------------------------------------


async def _wang_fangs_comp_leave(hall: RunningHall) -> None:
    """王芳 worked three evenings that 张伟 approved (one a year ago: an hour of it expires on
    the 20th), took an hour off this morning, asks for 4 h on Monday and is rostered for
    Saturday's duty. 09:00, Friday 2026-12-11."""
    wang, zhang = await signed_in(hall, "1002"), await signed_in(hall, "2001")
    clerk, lead = LedgerClient(wang), LedgerClient(zhang)
    for start, end in (
        ("2025-12-20 18:00", "2025-12-20 20:00"),
        ("2026-12-09 18:00", "2026-12-09 22:30"),
        ("2026-12-10 18:00", "2026-12-10 20:00"),
    ):
        claim = await clerk.claim(local(start), local(end), "整理归档综合受理材料")
        await lead.approve_claim(claim.id)
    dentist = await clerk.request_leave(date(2026, 12, 11), hours=1, reason="看牙")
    await lead.approve_leave(dentist.id)
    await clerk.request_leave(date(2026, 12, 14), hours=4, reason="孩子家长会")
    await lead.assign_duty("1002", date(2026, 12, 12))
    for client in (wang, zhang):
        await client.aclose()


@pytest.fixture(scope="module")
def comp_leave(
    tmp_path_factory: pytest.TempPathFactory, _seeded_sqlite_file: Path
) -> Iterator[RunningHall]:
    path = tmp_path_factory.mktemp("snapshots-leave") / "hall.sqlite3"
    shutil.copyfile(_seeded_sqlite_file, path)
    hall = start_hall(sqlite_url(path), ManualClock(local("2026-12-11 09:00")), seeded=True)
    asyncio.run(_wang_fangs_comp_leave(hall))
    yield hall
    hall.server.stop()


@pytest.mark.parametrize("size", SIZES)
def test_my_leave(
    snap_compare: Any, comp_leave: RunningHall, lang: str, size: tuple[int, int]
) -> None:
    app = app_for(comp_leave)  # 王芳 at window 8 presses v

    async def open_my_leave(pilot: Pilot[Any]) -> None:
        await at_counter(pilot)
        await pilot.press("v")

        def read() -> bool:
            """Shown with every credit's exact minutes (the month's overtime is read last)."""
            screen = app.screen
            if not isinstance(screen, MyLeaveScreen) or screen._refreshing:
                return False
            balance = screen.leave.balance
            return (
                balance is not None
                and screen.following
                and all(
                    e.source in screen.leave.worked
                    for e in balance.ledger
                    if e.kind == lw.LedgerKind.accrual
                )
            )

        await wait_for(pilot, read)
        await settled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_my_leave)


# --- the duty lead's hall monitor (issue 13) --------------------------------------------------


async def _a_swelling_queue(hall: RunningHall) -> None:
    """09:00-09:12: seven citizens for 不动产转移登记 (alert at five), one for 户籍业务; 李华
    serves A001 at window 1; 张伟 re-points 王芳's window 8 to the transfers and she calls A002."""
    from tests.monitor_support import watch

    kiosk = await signed_in(hall, "kiosk1")
    li_hua = await signed_in(hall, "1001")
    wang = await signed_in(hall, "1002")
    zhang = await signed_in(hall, "2001")
    await li_hua.sign_in(1)
    await wang.sign_in(8)
    await kiosk.issue("hukou")
    for _citizen in range(7):
        await kiosk.issue("bdc-transfer")
        hall.clock.advance(seconds=30)
    hall.clock.set(local("2026-12-11 09:05"))
    first = await li_hua.call_next(1)
    await li_hua.start(first.id)
    watch(hall)  # the alert comes on
    hall.clock.set(local("2026-12-11 09:08"))
    await zhang.open_tide(8, ["bdc-transfer"], "过户排队", until=local("2026-12-11 11:00"))
    await wang.call_next(8)
    hall.clock.set(local("2026-12-11 09:12"))
    for client in (kiosk, li_hua, wang, zhang):
        await client.aclose()


# --- hand-offs (转办): 赵丽 at window 5 receives D001 from 陈明 a second time, 09:35 --------


async def _d001_handed_to_tax_twice(hall: RunningHall) -> None:
    """09:02 陈明 serves D001 (营业执照办理); 09:20 he hands it to 税务's 发票领用; 09:22 赵丽
    calls it and, the seal missing, sends it back at 09:25; 陈明 hands it to window 5 again at
    09:32, sealed; 赵丽 calls it at 09:35."""
    add_staff(hall, ZHAO_LI)
    kiosk = await signed_in(hall, "kiosk1")
    chen = await at_window(hall, "1003", 3)
    zhao = await at_window(hall, "1005", 5)
    hall.clock.set(local("2026-12-11 09:02"))
    d001 = await kiosk.issue("biz-license")
    await chen.call_next(3)
    await chen.start(d001.id)
    hall.clock.set(local("2026-12-11 09:20"))
    await chen.hand_off(d001.id, "营业执照已核发，需领用发票；缺公章", service="tax-invoice")
    hall.clock.set(local("2026-12-11 09:22"))
    await zhao.call_next(5)
    hall.clock.set(local("2026-12-11 09:25"))
    await zhao.send_back(d001.id, "发票领用须加盖公章，请补盖后再转")
    await chen.call_next(3)
    await chen.start(d001.id)
    hall.clock.set(local("2026-12-11 09:32"))
    await chen.hand_off(d001.id, "已补盖公章", window=5)
    hall.clock.set(local("2026-12-11 09:35"))
    await zhao.call_next(5)
    for client in (kiosk, chen, zhao):
        await client.aclose()


@pytest.fixture(scope="module")
def swelling_queue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHall]:
    from tests.monitor_support import start_tide_hall

    path = tmp_path_factory.mktemp("snapshots-monitor") / "hall.sqlite3"
    hall = start_tide_hall(path, ManualClock(local("2026-12-11 09:00")))
    asyncio.run(_a_swelling_queue(hall))
    yield hall
    hall.server.stop()


@pytest.fixture(scope="module")
def handed_over(
    tmp_path_factory: pytest.TempPathFactory, _seeded_sqlite_file: Path
) -> Iterator[RunningHall]:
    path = tmp_path_factory.mktemp("snapshots-handoff") / "hall.sqlite3"
    shutil.copyfile(_seeded_sqlite_file, path)
    hall = start_hall(sqlite_url(path), ManualClock(local("2026-12-11 09:00")), seeded=True)
    asyncio.run(_d001_handed_to_tax_twice(hall))
    yield hall
    hall.server.stop()


@pytest.mark.parametrize("size", SIZES)
def test_hall_monitor(
    snap_compare: Any, swelling_queue: RunningHall, lang: str, size: tuple[int, int]
) -> None:
    from clerkdesk.screens.monitor.screen import HallMonitorScreen

    app = app_for(swelling_queue, staff_no=None)  # 张伟, the duty lead, without a window

    async def open_monitor(pilot: Pilot[Any]) -> None:
        await pilot.press(*"2001", "enter", *"demo", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
        await pilot.press("w")

        def ready() -> bool:
            screen = app.screen
            return (
                isinstance(screen, HallMonitorScreen)
                and screen.seen.loaded
                and screen.link.stream_seen
                and not screen._refreshing
            )

        await wait_for(pilot, ready)
        await settled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_monitor)


async def _at_the_handed_over_card(pilot: Pilot[Any]) -> None:
    screen = await at_counter(pilot)
    await wait_for(pilot, lambda: not screen._refreshing)
    await wait_for(pilot, lambda: screen.query_one(HandOffChain).display)
    await settled(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_handoff_card_with_its_chain(
    snap_compare: Any, handed_over: RunningHall, lang: str, size: tuple[int, int]
) -> None:
    app = app_for(handed_over, staff_no="1005", window=5)  # 赵丽, D001 at her counter

    assert snap_compare(app, terminal_size=size, run_before=_at_the_handed_over_card)


def test_handoff_dialog(snap_compare: Any, handed_over: RunningHall, lang: str) -> None:
    app = app_for(handed_over, staff_no="1005", window=5)

    async def open_dialog(pilot: Pilot[Any]) -> None:
        await _at_the_handed_over_card(pilot)
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HandOffDialog))
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_dialog)


# --- the duty lead's boards: balances and open hand-offs, Friday 09:40 ------------------------


async def _a_morning_of_leave_and_hand_offs(hall: RunningHall) -> None:
    """李华 has credits from two evenings (two hours of one expire on the 20th); 王芳 worked
    late on Wednesday, asks for 4 h on Monday and is rostered for Saturday. 09:20 陈明 hands
    D001 to 税务; 张伟 re-routes it three times (it is flagged); 09:25 陈明 hands E001 to window
    5, where 赵丽 works. 09:40 on the hall's clock."""
    add_staff(hall, ZHAO_LI)
    kiosk = await signed_in(hall, "kiosk1")
    li, wang, zhang = [await signed_in(hall, n) for n in ("1001", "1002", "2001")]
    lead = LedgerClient(zhang)
    for clerk, start, end in (
        (li, "2025-12-20 18:00", "2025-12-20 20:00"),
        (li, "2026-12-10 18:00", "2026-12-10 19:50"),
        (wang, "2026-12-09 18:00", "2026-12-09 22:30"),
    ):
        claim = await LedgerClient(clerk).claim(local(start), local(end), "整理归档材料")
        await lead.approve_claim(claim.id)
    await LedgerClient(wang).request_leave(date(2026, 12, 14), hours=4, reason="孩子家长会")
    await lead.assign_duty("1002", date(2026, 12, 12))
    chen = await at_window(hall, "1003", 3)
    zhao = await at_window(hall, "1005", 5)
    hall.clock.set(local("2026-12-11 09:20"))
    d001 = await kiosk.issue("biz-license")
    await chen.call_next(3)
    await chen.start(d001.id)
    note = "营业执照已核发，需领用发票；缺法人身份证复印件"
    await chen.hand_off(d001.id, note, service="tax-invoice")
    for service in ("hukou", "gjj-withdraw", "shebao-card"):
        await zhang.hand_off(d001.id, "非本部门事项，请转办", service=service)
    hall.clock.set(local("2026-12-11 09:25"))
    e001 = await kiosk.issue("biz-change")
    await chen.call_ticket(3, e001.code, "转办")
    await chen.start(e001.id)
    await chen.hand_off(e001.id, "已补盖公章，请办理发票领用", window=5)
    hall.clock.set(local("2026-12-11 09:40"))
    for client in (kiosk, li, wang, zhang, chen, zhao):
        await client.aclose()


@pytest.fixture(scope="module")
def lead_boards(
    tmp_path_factory: pytest.TempPathFactory, _seeded_sqlite_file: Path
) -> Iterator[RunningHall]:
    path = tmp_path_factory.mktemp("snapshots-lead-boards") / "hall.sqlite3"
    shutil.copyfile(_seeded_sqlite_file, path)
    hall = start_hall(sqlite_url(path), ManualClock(local("2026-12-11 09:00")), seeded=True)
    asyncio.run(_a_morning_of_leave_and_hand_offs(hall))
    yield hall
    hall.server.stop()


def _open_board(app: Any, key: str) -> Any:
    from clerkdesk.screens.lead.screen import DutyLeadScreen

    async def open_board(pilot: Pilot[Any]) -> None:
        await pilot.press(*"2001", "enter", *"demo", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
        await pilot.press("d")
        screen = await at_duty_lead(pilot)
        assert isinstance(screen, DutyLeadScreen)
        await wait_for(
            pilot,
            lambda: (
                screen.balances.loaded
                and screen.handoff_board.loaded
                and screen.names is not None
                and screen.leave.balances != {}
                and not screen._refreshing
            ),
        )
        await pilot.press(key)
        await settled(pilot)

    return open_board


@pytest.mark.parametrize("size", SIZES)
def test_duty_lead_balances(
    snap_compare: Any, lead_boards: RunningHall, lang: str, size: tuple[int, int]
) -> None:
    app = app_for(lead_boards, staff_no=None)  # 张伟, the duty lead, without a window
    assert snap_compare(app, terminal_size=size, run_before=_open_board(app, "b"))


@pytest.mark.parametrize("size", SIZES)
def test_duty_lead_handoffs(
    snap_compare: Any, lead_boards: RunningHall, lang: str, size: tuple[int, int]
) -> None:
    app = app_for(lead_boards, staff_no=None)
    assert snap_compare(app, terminal_size=size, run_before=_open_board(app, "h"))
