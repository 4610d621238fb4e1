"""Hand-offs at the end of the day and after a restart (转办, issue 12), over HTTP against the
real hall on 127.0.0.1.

The demo hall on Friday 2026-12-11, open 09:00-17:30 (next opening Saturday 09:00): 陈明 (1003)
at window 3 of 市场监管; 赵丽 (1005) at window 5 of 税务 (发票领用 H, 税费申报 J); 王芳 (1002) at
window 8, 综合受理, which also takes 发票领用; 张伟 (2001) is the hall's duty lead.

A case handed to a window (or to a clerk) waits for that window alone. When that window closes
for the day before calling it, the citizen is not left waiting for a window nobody will open:
the case goes back to its service's queue at its place, ahead of new arrivals, where any other
open window serving it calls it; with none left, the end-of-day rule counts it like anyone else.
A break (signing out before the window's end) keeps it waiting for that window.
"""

from __future__ import annotations

import pytest

from clerkdesk.api import errors
from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.api.closing import ClosingClient
from tests.conftest import RunningHall, local, signed_in
from tests.handoff_support import ZHAO_LI, add_staff, at_window, history
from tests.test_closing_day import set_policy

NOTE = "营业执照已核发，需领用发票"


def at(hall: RunningHall, moment: str) -> None:
    hall.clock.set(local(f"2026-12-11 {moment}"))


async def served_at_3(
    chen_ming: HallClient, kiosk: HallClient, hall: RunningHall | None = None, served: str = ""
) -> w.TicketOut:
    """A citizen for 营业执照办理 at 陈明's counter, being served (from `served`, when given:
    the ticket is taken before the kiosk's cutoff)."""
    ticket = await kiosk.issue("biz-license")
    if hall is not None:
        at(hall, served)
    await chen_ming.call_ticket(3, ticket.code, "转办测试")
    return await chen_ming.start(ticket.id)


@pytest.fixture
async def chen_and_zhao(hall: RunningHall) -> tuple[HallClient, HallClient]:
    add_staff(hall, ZHAO_LI)
    return await at_window(hall, "1003", 3), await at_window(hall, "1005", 5)


# --- back to me after a restart ---------------------------------------------------------------


async def test_chen_ming_signs_in_again_and_still_finds_the_cases_he_handed_off(
    hall: RunningHall, kiosk: HallClient, chen_and_zhao: tuple[HallClient, HallClient]
) -> None:
    """09:20 陈明 hands D001 to 税务's 发票领用 and 09:25 D002 to window 5; 赵丽 hands D001 on
    to 不动产登记 with a note of her own. 陈明's workstation restarts: signed in afresh, he reads
    both of his hand-offs with his notes (not 赵丽's), both cases still away, and asks D001 back."""
    chen_ming, zhao_li = chen_and_zhao
    at(hall, "09:20")
    d001 = await served_at_3(chen_ming, kiosk)
    await chen_ming.hand_off(d001.id, NOTE, service="tax-invoice")
    at(hall, "09:25")
    d002 = await served_at_3(chen_ming, kiosk)
    await chen_ming.hand_off(d002.id, "已补盖公章", window=5)
    await zhao_li.call_ticket(5, "D001", "转来的件")
    await zhao_li.hand_off(d001.id, "需办不动产登记查询：赵丽备注", service="bdc-query")
    await chen_ming.aclose()

    again = await signed_in(hall, "1003")  # a new sign-in: nothing kept on the workstation
    try:
        mine = await again.my_hand_offs()
        assert [(m.ticket, m.note, m.to_service) for m in mine.sent] == [
            ("D001", NOTE, "tax-invoice"),
            ("D002", "已补盖公章", "tax-invoice"),
        ]
        assert sorted(mine.away) == sorted([d001.id, d002.id])  # D001 is with 不动产登记 now
        assert "赵丽备注" not in mine.model_dump_json()  # the later note is not his to read here
        asked = await again.back_to_me(d001.id)
        assert asked.handoff.back_asked_at is not None
    finally:
        await again.aclose()

    assert (await zhao_li.my_hand_offs()).sent[0].ticket == "D001"  # hers: the one she sent
    await zhao_li.aclose()


async def test_a_case_sent_back_is_no_longer_away(
    hall: RunningHall, kiosk: HallClient, chen_and_zhao: tuple[HallClient, HallClient]
) -> None:
    chen_ming, zhao_li = chen_and_zhao
    d001 = await served_at_3(chen_ming, kiosk)
    await chen_ming.hand_off(d001.id, NOTE, window=5)
    await zhao_li.call_next(5)
    await zhao_li.send_back(d001.id, "发票领用须加盖公章")
    mine = await chen_ming.my_hand_offs()
    assert [(m.ticket, m.state) for m in mine.sent] == [("D001", w.HandOffState.sent_back)]
    assert mine.away == []
    for client in chen_and_zhao:
        await client.aclose()


# --- a window closing for the day lets go of the cases handed to it ---------------------------


async def test_window_5_closes_and_the_case_handed_to_it_goes_to_window_8(
    hall: RunningHall,
    kiosk: HallClient,
    wang_fang: HallClient,
    chen_and_zhao: tuple[HallClient, HallClient],
) -> None:
    """17:20 陈明 hands D001 to window 5, where 赵丽 is busy with H001; a citizen for 户籍业务
    waits at window 8 since 17:10. 17:30 赵丽 finishes H001 and closes window 5 for the day:
    D001 is not left waiting for a closed window: it goes back to 发票领用's queue, ahead of
    the 17:10 citizen, and 王芳 calls it at window 8."""
    chen_ming, zhao_li = chen_and_zhao
    at(hall, "17:00")
    h001 = await kiosk.issue("tax-invoice")
    await zhao_li.call_next(5)
    await zhao_li.start(h001.id)
    at(hall, "17:10")
    await kiosk.issue("hukou")
    d001 = await served_at_3(chen_ming, kiosk, hall, "17:20")
    moved = await chen_ming.hand_off(d001.id, NOTE, window=5)
    assert moved.handoff.go_to_window == 5
    with pytest.raises(errors.Conflict):  # until then, it is window 5's alone
        await wang_fang.call_ticket(8, "D001", "想帮忙")

    at(hall, "17:30")
    await zhao_li.complete(h001.id, w.Outcome.done)
    closed = await ClosingClient(zhao_li).close_window(5)
    assert closed.leftover_tickets == []  # window 8 may call it now

    detail = await wang_fang.ticket(d001.id)
    assert (detail.status, detail.priority) == (w.TicketStatus.waiting, w.Priority.transferred)
    assert (detail.chain[-1].unpinned, detail.chain[-1].go_to_window) == (True, 8)
    called = await wang_fang.call_next(8)
    assert called.code == "D001"
    assert [step[0] for step in history(hall, d001.id)][-3:] == ["hand_off", "unpin", "call"]
    for client in chen_and_zhao:
        await client.aclose()


async def test_zhao_li_signing_out_at_the_end_lets_go_of_the_case_handed_to_her(
    hall: RunningHall,
    kiosk: HallClient,
    wang_fang: HallClient,
    chen_and_zhao: tuple[HallClient, HallClient],
) -> None:
    """D001 is handed to 赵丽 herself (staff number 1005); she leaves at 17:35 (a sign-out past
    the end is her window's closing): 王芳 calls D001 at window 8."""
    chen_ming, zhao_li = chen_and_zhao
    at(hall, "17:00")
    d001 = await served_at_3(chen_ming, kiosk, hall, "17:20")
    await chen_ming.hand_off(d001.id, NOTE, staff_no="1005")
    at(hall, "17:35")
    await zhao_li.sign_out(5)
    assert (await wang_fang.call_next(8)).code == "D001"
    for client in chen_and_zhao:
        await client.aclose()


async def test_a_break_keeps_the_case_waiting_for_window_5(
    hall: RunningHall,
    kiosk: HallClient,
    wang_fang: HallClient,
    chen_and_zhao: tuple[HallClient, HallClient],
) -> None:
    """赵丽 steps out at 15:00 (before the window's end): D001, handed to window 5, waits for
    her; 王芳 at window 8 is not offered it."""
    chen_ming, zhao_li = chen_and_zhao
    at(hall, "14:55")
    d001 = await served_at_3(chen_ming, kiosk)
    await chen_ming.hand_off(d001.id, NOTE, window=5)
    at(hall, "15:00")
    await zhao_li.sign_out(5)
    with pytest.raises(errors.Conflict) as nobody:
        await wang_fang.call_next(8)
    assert nobody.value.code == "queue_empty"
    assert (await wang_fang.ticket(d001.id)).chain[-1].unpinned is False
    for client in chen_and_zhao:
        await client.aclose()


async def test_with_no_other_window_for_tax_the_closing_counts_the_handed_over_case(
    hall: RunningHall, kiosk: HallClient, chen_and_zhao: tuple[HallClient, HallClient]
) -> None:
    """Only window 5 takes 发票领用 this evening. D001, handed to it at 17:20, waits at 17:30:
    serve-all refuses to close while it does; under carry-over it waits for Saturday's opening,
    no longer tied to window 5, still ahead of new arrivals."""
    chen_ming, zhao_li = chen_and_zhao
    at(hall, "17:00")
    d001 = await served_at_3(chen_ming, kiosk, hall, "17:20")
    await chen_ming.hand_off(d001.id, NOTE, window=5)
    at(hall, "17:30")
    with pytest.raises(errors.Conflict) as refused:
        await ClosingClient(zhao_li).close_window(5)
    assert (refused.value.code, refused.value.params["tickets"]) == (
        "citizens_still_waiting",
        ["D001"],
    )

    set_policy(hall, end_of_day="carry_over")
    closed = await ClosingClient(zhao_li).close_window(5)
    assert closed.leftover_tickets == ["D001"]
    carried = await chen_ming.ticket(d001.id)
    assert (carried.status, carried.priority) == (w.TicketStatus.waiting, w.Priority.transferred)
    assert carried.chain[-1].unpinned is True
    assert [step[0] for step in history(hall, d001.id)][-2:] == ["unpin", "carry_over"]
    for client in chen_and_zhao:
        await client.aclose()


async def test_the_last_window_for_tax_counts_a_case_still_waiting_for_window_5(
    hall: RunningHall,
    kiosk: HallClient,
    wang_fang: HallClient,
    chen_and_zhao: tuple[HallClient, HallClient],
) -> None:
    """赵丽 stepped out at 15:00 and did not come back; D001 waits for her window 5. At 17:30
    王芳 closes window 8, the last one taking 发票领用: before, D001 was counted only because no
    open window served its service; now because no open window may call it, and the refusal
    says it waits for another window (the duty lead hands it on); carried over, it is no
    longer tied to window 5."""
    chen_ming, zhao_li = chen_and_zhao
    at(hall, "14:55")
    d001 = await served_at_3(chen_ming, kiosk)
    await chen_ming.hand_off(d001.id, NOTE, window=5)
    at(hall, "15:00")
    await zhao_li.sign_out(5)
    at(hall, "17:30")
    with pytest.raises(errors.Conflict) as refused:
        await ClosingClient(wang_fang).close_window(8)
    assert refused.value.params["pinned"] == ["D001"]
    assert "ask the duty lead to hand it to your window" in refused.value.message

    set_policy(hall, end_of_day="carry_over")
    assert (await ClosingClient(wang_fang).close_window(8)).leftover_tickets == ["D001"]
    assert (await chen_ming.ticket(d001.id)).chain[-1].unpinned is True
    for client in chen_and_zhao:
        await client.aclose()


async def test_window_8_closing_leaves_a_case_to_window_5_which_is_still_open(
    hall: RunningHall,
    kiosk: HallClient,
    wang_fang: HallClient,
    chen_and_zhao: tuple[HallClient, HallClient],
) -> None:
    """赵丽 serves on at window 5 past 17:30 with D001 handed to her window; 王芳 closes window 8:
    D001 is not hers to count (window 5 will call it), and it stays window 5's."""
    chen_ming, zhao_li = chen_and_zhao
    at(hall, "17:00")
    d001 = await served_at_3(chen_ming, kiosk, hall, "17:20")
    await chen_ming.hand_off(d001.id, NOTE, window=5)
    at(hall, "17:30")
    assert (await ClosingClient(wang_fang).close_window(8)).leftover_tickets == []
    assert (await zhao_li.ticket(d001.id)).chain[-1].unpinned is False
    assert (await zhao_li.call_next(5)).code == "D001"
    for client in chen_and_zhao:
        await client.aclose()


@pytest.mark.postgres
async def test_on_postgresql_window_5_closing_lets_go_of_d001_too(pg_hall: RunningHall) -> None:
    hall = pg_hall
    add_staff(hall, ZHAO_LI)
    kiosk = await signed_in(hall, "kiosk1")
    chen_ming, zhao_li = await at_window(hall, "1003", 3), await at_window(hall, "1005", 5)
    wang_fang = await at_window(hall, "1002", 8)
    try:
        at(hall, "17:00")
        d001 = await served_at_3(chen_ming, kiosk, hall, "17:20")
        await chen_ming.hand_off(d001.id, NOTE, window=5)
        at(hall, "17:30")
        assert (await ClosingClient(zhao_li).close_window(5)).leftover_tickets == []
        assert (await wang_fang.call_next(8)).code == "D001"
    finally:
        for client in (kiosk, chen_ming, zhao_li, wang_fang):
            await client.aclose()
