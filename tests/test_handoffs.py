"""Hand-offs between departments (转办, issue 12), over HTTP against the real hall.

The demo hall on Friday 2026-12-11, open 09:00-17:30 (a Saturday duty session 09:00-12:00):
陈明 (1003) works at window 3 of 市场监管 (营业执照办理 D, 企业变更登记 E); 赵丽 (1005) at window 5
of 税务 (发票领用 H, 税费申报 J); 李华 (1001) at window 1 of 不动产登记, a department no case
here passes through; 张伟 (2001) is the hall's duty lead, 孙强 (2002) 市场监管's.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from clerkdesk.api import errors
from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.api.closing import ClosingClient
from clerkdesk.api.events import EventSubscription
from tests.conftest import RunningHall, local, signed_in
from tests.handoff_support import SUN_QIANG, ZHAO_LI, add_staff, at_window, history, set_policy
from tests.load_helpers import Follower

NOTE = "营业执照已核发，需领用发票；缺法人身份证复印件"
BACK_REASON = "发票领用须加盖公章，请市场监管补盖后再转"


@dataclass
class Day:
    hall: RunningHall
    kiosk: HallClient
    chen_ming: HallClient  # 市场监管, window 3
    zhao_li: HallClient  # 税务, window 5
    li_hua: HallClient  # 不动产登记, window 1
    zhang_wei: HallClient  # the hall's duty lead

    def at(self, moment: str) -> None:
        self.hall.clock.set(local(f"2026-12-11 {moment}"))


@pytest.fixture
async def day(hall: RunningHall) -> AsyncIterator[Day]:
    add_staff(hall, ZHAO_LI, SUN_QIANG)
    clients = Day(
        hall,
        await signed_in(hall, "kiosk1"),
        await at_window(hall, "1003", 3),
        await at_window(hall, "1005", 5),
        await at_window(hall, "1001", 1),
        await signed_in(hall, "2001"),
    )
    yield clients
    for client in (
        clients.kiosk,
        clients.chen_ming,
        clients.zhao_li,
        clients.li_hua,
        clients.zhang_wei,
    ):
        await client.aclose()


async def served_at_3(day: Day, service: str = "biz-license") -> w.TicketOut:
    """The kiosk issues a ticket; 陈明 calls it to window 3 and starts serving it."""
    ticket = await day.kiosk.issue(service)
    called = await day.chen_ming.call_next(3)
    assert called.id == ticket.id
    await day.chen_ming.start(ticket.id)
    return ticket


async def test_chen_ming_hands_d001_to_tax_the_citizen_keeps_the_number_and_goes_first(
    day: Day,
) -> None:
    """09:00 a citizen takes H001 for 发票领用. 09:02 D001 is called to window 3; at 09:20 陈明
    hands it to 税务's 发票领用 with a note. D001 keeps its number, waits for 税务 ahead of
    H001, who came earlier, and window 3 is free at once: 陈明 calls his next citizen. The answer
    says where the citizen goes: window 5, the one window serving 发票领用 now."""
    h001 = await day.kiosk.issue("tax-invoice")
    day.at("09:02")
    d001 = await served_at_3(day)
    day.at("09:20")
    moved = await day.chen_ming.hand_off(d001.id, NOTE, service="tax-invoice")

    assert (moved.ticket.code, moved.ticket.status, moved.ticket.service) == (
        "D001",
        w.TicketStatus.waiting,
        "tax-invoice",
    )
    assert moved.ticket.priority == w.Priority.transferred
    assert moved.ticket.window is None and moved.ticket.handoffs == 1
    assert moved.ticket.chain_departments == ["shichang", "shuiwu"]
    handoff = moved.handoff
    assert (handoff.from_window, handoff.from_staff, handoff.from_department) == (
        3,
        "1003",
        "shichang",
    )
    assert (handoff.to_service, handoff.to_department, handoff.go_to_window) == (
        "tax-invoice",
        "shuiwu",
        5,
    )
    assert (handoff.note, handoff.state, handoff.seq) == (NOTE, w.HandOffState.open, 1)

    counter = await day.chen_ming.counter(3)
    assert counter.current is None  # window 3 is free at once
    e001 = await day.kiosk.issue("biz-change")
    assert (await day.chen_ming.call_next(3)).id == e001.id

    queue = await day.zhao_li.queue(5)
    assert [t.code for t in queue.tickets] == ["D001", "H001"]
    day.at("09:25")
    assert (await day.zhao_li.call_next(5)).id == d001.id

    card = await day.zhao_li.ticket(d001.id)  # the receiving clerk's ticket card
    assert [(m.from_window, m.from_staff_name, m.note) for m in card.chain] == [(3, "陈明", NOTE)]
    assert card.chain[0].at == local("2026-12-11 09:20")
    assert card.chain[0].called_at == local("2026-12-11 09:25")
    assert card.chain[0].waited_seconds == 5 * 60
    assert card.seconds_in_hall == 25 * 60 - 2 * 60  # issued 09:02, now 09:25
    assert not card.flagged
    assert (await day.zhao_li.ticket(h001.id)).chain == []


async def test_a_chain_of_hand_offs_and_a_send_back_keep_the_whole_history(day: Day) -> None:
    """D001: 陈明 hands it to 税务 (09:10); 赵丽 calls it and sends it back for the missing seal
    (09:15): it returns to window 3 first in line, ahead of E001 who waits there; 陈明 fixes it
    and hands it to window 5 again (09:30); 赵丽 finishes it (09:40). The card keeps all three
    moves, the transitions all nine steps, and the case counts once in the day's report."""
    d001 = await served_at_3(day)
    e001 = await day.kiosk.issue("biz-change")
    day.at("09:10")
    await day.chen_ming.hand_off(d001.id, NOTE, service="tax-invoice")
    day.at("09:12")
    assert (await day.zhao_li.call_next(5)).id == d001.id
    await day.zhao_li.start(d001.id)
    day.at("09:15")
    back = await day.zhao_li.send_back(d001.id, BACK_REASON)
    assert (back.ticket.service, back.handoff.kind, back.handoff.go_to_window) == (
        "biz-license",
        w.HandOffKind.send_back,
        3,
    )
    assert [t.code for t in (await day.chen_ming.queue(3)).tickets] == ["D001", "E001"]
    assert (await day.zhao_li.counter(5)).current is None

    assert (await day.chen_ming.call_next(3)).id == d001.id
    await day.chen_ming.start(d001.id)
    day.at("09:30")
    await day.chen_ming.hand_off(d001.id, "已补盖公章", window=5)
    day.at("09:35")
    assert (await day.zhao_li.call_next(5)).id == d001.id
    await day.zhao_li.start(d001.id)
    day.at("09:40")
    done = await day.zhao_li.complete(d001.id)
    assert done.status == w.TicketStatus.done

    card = await day.chen_ming.ticket(d001.id)  # the sender reads the chain too
    assert [
        (m.seq, m.kind, m.state, m.from_window, m.to_window, m.note, m.end_reason)
        for m in card.chain
    ] == [
        (1, w.HandOffKind.hand_off, w.HandOffState.sent_back, 3, None, NOTE, BACK_REASON),
        (2, w.HandOffKind.send_back, w.HandOffState.handed_on, 5, 3, BACK_REASON, None),
        (3, w.HandOffKind.hand_off, w.HandOffState.done, 3, 5, "已补盖公章", None),
    ]
    assert card.handoffs == 2 and card.seconds_in_hall == 40 * 60
    assert [step[0] for step in history(day.hall, d001.id)] == [
        "issue", "call", "start", "hand_off", "call", "start", "send_back",
        "call", "start", "hand_off", "call", "start", "complete",
    ]  # fmt: skip
    assert (await day.chen_ming.call_next(3)).id == e001.id

    report = await day.zhang_wei.day_report()
    assert (report.issued, report.completed, report.completed_after_hand_offs) == (2, 1, 1)
    assert report.average_seconds_in_hall == 40 * 60


async def test_chen_ming_asks_the_case_back_and_the_citizen_returns_to_window_3_first(
    day: Day,
) -> None:
    """09:05 陈明 hands D001 to window 5 for the tax registration and asks the case back: the
    licence is finished at his counter afterwards. 赵丽 serves it and completes it at 09:20: the
    citizen returns to window 3, ahead of E001 and E002 waiting there since 09:00, and 陈明
    finishes the case at 09:30. Only then does it count as done."""
    d001 = await served_at_3(day)
    e001 = await day.kiosk.issue("biz-change")
    e002 = await day.kiosk.issue("biz-change")
    day.at("09:05")
    moved = await day.chen_ming.hand_off(d001.id, NOTE, window=5)
    assert moved.handoff.to_window == 5
    asked = await day.chen_ming.back_to_me(d001.id)
    assert asked.handoff.back_asked_at == local("2026-12-11 09:05")
    assert asked.ticket.status == w.TicketStatus.waiting  # still on its way to 税务

    with pytest.raises(errors.ApiError) as not_his:
        await day.zhao_li.back_to_me(d001.id)  # 赵丽 sent nothing
    assert not_his.value.code == "not_the_sender"

    day.at("09:08")
    assert (await day.zhao_li.call_next(5)).id == d001.id
    await day.zhao_li.start(d001.id)
    day.at("09:20")
    returned = await day.zhao_li.complete(d001.id, notes="税务登记已办")
    assert (returned.status, returned.service, returned.window) == (
        w.TicketStatus.waiting,
        "biz-license",
        None,
    )
    assert (await day.zhao_li.counter(5)).current is None
    assert [t.code for t in (await day.chen_ming.queue(3)).tickets] == ["D001", "E001", "E002"]

    assert (await day.chen_ming.call_next(3)).id == d001.id
    await day.chen_ming.start(d001.id)
    day.at("09:30")
    assert (await day.chen_ming.complete(d001.id)).status == w.TicketStatus.done
    card = await day.zhang_wei.ticket(d001.id)
    assert [(m.kind, m.state, m.to_window) for m in card.chain] == [
        (w.HandOffKind.hand_off, w.HandOffState.returned, 5),
        (w.HandOffKind.returned, w.HandOffState.done, 3),
    ]
    assert "税务登记已办" in card.notes
    assert [step[0] for step in history(day.hall, d001.id)][-4:] == [
        "back_to_me", "call", "start", "complete",
    ]  # fmt: skip
    day.at("09:31")
    assert [t.code for t in (await day.chen_ming.queue(3)).tickets] == ["E001", "E002"]
    assert (await day.chen_ming.call_next(3)).id == e001.id
    assert e002.code == "E002"


async def test_a_hand_off_to_a_closed_service_is_refused_with_the_next_opening(day: Day) -> None:
    """陈明 serves D001 past the 17:30 closing. At 17:40 he tries to hand it to 税务: the hall is
    closed and opens again Saturday 09:00 (the duty session), long after the citizen could get
    there: refused, with the next opening; D001 stays at window 3. At 17:20, before the closing,
    the same hand-off is taken, and window 5's closing banner counts the citizen."""
    day.at("17:00")
    d001 = await served_at_3(day)
    day.at("17:40")
    with pytest.raises(errors.ApiError) as refused:
        await day.chen_ming.hand_off(d001.id, NOTE, service="tax-invoice")
    assert refused.value.status == 409
    assert refused.value.code == "handoff_service_closed"
    assert refused.value.params["next_opening"] == "2026-12-12T09:00:00+08:00"
    assert refused.value.params["service"] == "tax-invoice"
    assert (await day.chen_ming.counter(3)).current.id == d001.id  # type: ignore[union-attr]

    day.at("17:20")
    await day.chen_ming.hand_off(d001.id, NOTE, service="tax-invoice")
    banner = await ClosingClient(day.zhao_li).closing(5)
    assert [t.code for t in banner.waiting] == ["D001"]
    assert banner.minutes_needed >= 6  # 发票领用's estimate for the citizen handed over


async def test_a_service_opening_before_the_citizen_could_arrive_takes_the_hand_off(
    hall: RunningHall,
) -> None:
    """Saturday 2026-12-12 08:50, before the 09:00 duty session: 张伟 issues two licence tickets
    for citizens let in early, and 陈明, signed in early, calls the first. At 08:55 he hands it
    on: the session opens within the hall's 10 minutes to get there: accepted. With the hall's
    minutes set to 3, the same hand-off at 08:56 is refused, with the opening."""
    add_staff(hall, ZHAO_LI)
    hall.clock.set(local("2026-12-12 08:50"))
    zhang_wei = await signed_in(hall, "2001")
    chen_ming = await at_window(hall, "1003", 3)
    try:
        first = await zhang_wei.issue("biz-license")
        second = await zhang_wei.issue("biz-license")
        await chen_ming.call_next(3)
        hall.clock.set(local("2026-12-12 08:55"))
        await chen_ming.hand_off(first.id, NOTE, service="tax-invoice")
        set_policy(hall, handoff_arrival_minutes=3)
        hall.clock.set(local("2026-12-12 08:56"))
        assert (await chen_ming.call_next(3)).id == second.id
        with pytest.raises(errors.ApiError) as refused:
            await chen_ming.hand_off(second.id, NOTE, service="tax-invoice")
        assert (refused.value.code, refused.value.params["next_opening"]) == (
            "handoff_service_closed",
            "2026-12-12T09:00:00+08:00",
        )
    finally:
        await zhang_wei.aclose()
        await chen_ming.aclose()


PERSONAL = (NOTE, BACK_REASON, "陈明", "赵丽")


async def test_the_note_never_reaches_the_kiosk_or_an_unrelated_department(day: Day) -> None:
    """D001 goes from 市场监管 to 税务 and back. On the live stream and in GET /tickets/{id}, the
    note, the reason and the clerks' names reach 陈明, 赵丽 and the duty lead; never the kiosk,
    and never 李华, whose 不动产登记 serves nothing in this case (for her the ticket does not
    exist). The kiosk still learns where the citizen goes: window 5."""
    readers = {
        "kiosk": day.kiosk,
        "李华": day.li_hua,
        "陈明": day.chen_ming,
        "赵丽": day.zhao_li,
        "张伟": day.zhang_wei,
    }
    live = {name: await Follower(EventSubscription(c)).start() for name, c in readers.items()}
    try:
        d001 = await served_at_3(day)
        moved = await day.chen_ming.hand_off(d001.id, NOTE, service="tax-invoice")
        assert (await day.zhao_li.call_next(5)).id == d001.id
        back = await day.zhao_li.send_back(d001.id, BACK_REASON)
        last = (await day.zhang_wei.ticket(d001.id)).chain[-1]
        assert last.id == back.handoff.id

        def texts(events: list[w.EventOut]) -> str:
            return "\n".join(e.model_dump_json() for e in events)

        received: dict[str, list[w.EventOut]] = {}
        for name, follower in live.items():  # every reader gets every event, projected
            events: list[w.EventOut] = []
            while not events or events[-1].kind != w.EventKind.ticket_sent_back:
                events.append(await follower.next())
            received[name] = events
        for name in ("kiosk", "李华"):
            seen = texts(received[name])
            assert not [p for p in PERSONAL if p in seen], name
        for name in ("陈明", "赵丽", "张伟"):
            seen = texts(received[name])
            assert NOTE in seen and BACK_REASON in seen, name
        kiosk_handoffs = [e.handoff for e in received["kiosk"] if e.handoff is not None]
        assert (
            kiosk_handoffs[0].ticket,
            kiosk_handoffs[0].to_window,
            kiosk_handoffs[0].go_to_window,
        ) == (
            "D001",
            None,
            5,
        )
        assert all(h.from_staff is None and h.note == "" for h in kiosk_handoffs)
    finally:
        for follower in live.values():
            await follower.close()

    with pytest.raises(errors.ApiError) as hidden:
        await day.li_hua.ticket(d001.id)
    assert hidden.value.status == 404
    kiosk_card = await day.kiosk.ticket(d001.id)
    assert [m.note for m in kiosk_card.chain] == ["", ""]
    assert all(m.from_staff_name is None and m.end_reason is None for m in kiosk_card.chain)
    assert (await day.chen_ming.ticket(d001.id)).chain[0].note == moved.handoff.note == NOTE


@pytest.mark.parametrize(
    ("placement", "order"),
    [("front", ["D001", "H001", "H002"]), ("issue_time", ["H001", "D001", "H002"])],
)
async def test_the_halls_placement_policy_front_or_issue_time(
    day: Day, placement: str, order: list[str]
) -> None:
    """H001 takes a 发票领用 ticket at 09:00, D001 comes for a licence at 09:10, H002 at 09:20.
    At 09:30 陈明 hands D001 to 税务. At the front (the default), D001 is next at window 5; by
    issue time it goes behind H001, who came first, and ahead of H002."""
    set_policy(day.hall, handoff_placement=placement)
    await day.kiosk.issue("tax-invoice")
    day.at("09:10")
    d001 = await day.kiosk.issue("biz-license")
    day.at("09:20")
    await day.kiosk.issue("tax-invoice")
    day.at("09:30")
    await day.chen_ming.call_next(3)
    await day.chen_ming.hand_off(d001.id, NOTE, service="tax-invoice")
    assert [t.code for t in (await day.zhao_li.queue(5)).tickets] == order
    assert (await day.zhao_li.call_next(5)).code == order[0]


async def test_a_ticket_handed_on_more_than_three_times_is_flagged_to_the_lead(day: Day) -> None:
    """D001 goes back and forth between window 3 and window 5, handed on each time (not sent
    back). After the third hand-off nothing is flagged; the fourth flags it to 张伟 and to
    孙强, 市场监管's lead, with how long each open hand-off has waited. 李华 may not watch."""
    d001 = await day.kiosk.issue("biz-license")
    await day.chen_ming.call_next(3)
    windows = [(day.chen_ming, 5), (day.zhao_li, 3)] * 2
    for times, (clerk, there) in enumerate(windows, start=1):
        moved = await clerk.hand_off(d001.id, f"第{times}次转办", window=there)
        watch = await day.zhang_wei.hand_offs()
        assert moved.handoff.flagged == (times > 3)
        assert watch.flagged == (["D001"] if times > 3 else [])
        day.hall.clock.advance(minutes=2)
        receiver = day.zhao_li if there == 5 else day.chen_ming
        if times < 4:
            assert (await receiver.call_next(there)).id == d001.id
    sun_qiang = await signed_in(day.hall, "2002")
    try:
        watch = await sun_qiang.hand_offs()
    finally:
        await sun_qiang.aclose()
    assert watch.flag_after == 3 and watch.flagged == ["D001"]
    assert [(m.seq, m.state) for m in watch.today] == [
        (1, w.HandOffState.handed_on),
        (2, w.HandOffState.handed_on),
        (3, w.HandOffState.handed_on),
        (4, w.HandOffState.open),
    ]
    assert [(m.ticket, m.waited_seconds, m.go_to_window) for m in watch.open] == [("D001", 120, 3)]
    assert (await day.zhang_wei.ticket(d001.id)).flagged
    with pytest.raises(errors.ApiError) as refused:
        await day.li_hua.hand_offs()
    assert refused.value.status == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"window": "5", "note": NOTE}, "window"),
        ({"window": True, "note": NOTE}, "window"),
        ({"window": 5.0, "note": NOTE}, "window"),
    ],
)
async def test_a_window_is_named_only_by_a_whole_number(
    day: Day, body: dict[str, object], field: str
) -> None:
    """陈明 hands D001 on with `{"window": "5"}` or `true`: refused 422 wrong_type, and D001
    stays at his counter."""
    d001 = await served_at_3(day)
    headers = {**day.chen_ming.auth_headers(), "Idempotency-Key": uuid.uuid4().hex}
    async with httpx.AsyncClient(base_url=day.hall.url, headers=headers) as http:
        answer = await http.post(f"/tickets/{d001.id}/hand-off", json=body)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["params"]["field"]) == ("wrong_type", field)
    assert (await day.chen_ming.counter(3)).current is not None


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ({}, "handoff_target_missing"),
        ({"window": 5, "staff_no": "1005"}, "handoff_target_twice"),
        ({"window": 3}, "handoff_to_own_window"),
        ({"service": "tax-invoice", "window": 1}, "service_not_at_window"),
        ({"staff_no": "1004"}, "staff_not_at_window"),  # 刘洋 holds no window
    ],
)
async def test_a_hand_off_must_say_where_the_case_can_go(
    day: Day, target: dict[str, object], code: str
) -> None:
    d001 = await served_at_3(day)
    with pytest.raises(errors.ApiError) as refused:
        await day.chen_ming.hand_off(d001.id, NOTE, **target)  # type: ignore[arg-type]
    assert refused.value.code == code
    assert (await day.chen_ming.counter(3)).current is not None


async def test_a_hand_off_to_a_clerk_waits_for_that_clerk_alone(day: Day) -> None:
    """陈明 hands D001 to 王芳 (1002) for 发票领用; she works at window 8 of 综合受理, which serves
    发票领用 as window 5 does. 赵丽 at window 5 neither gets it as her next nor may call it by
    its number; 王芳 calls it, and the answer said window 8."""
    wang_fang = await at_window(day.hall, "1002", 8)
    try:
        d001 = await served_at_3(day)
        moved = await day.chen_ming.hand_off(d001.id, NOTE, staff_no="1002", service="tax-invoice")
        assert (moved.handoff.to_staff, moved.handoff.go_to_window) == ("1002", 8)
        assert moved.ticket.service == "tax-invoice"
        with pytest.raises(errors.ApiError) as empty:
            await day.zhao_li.call_next(5)
        assert empty.value.code == "queue_empty"
        with pytest.raises(errors.ApiError) as not_hers:
            await day.zhao_li.call_ticket(5, "D001")
        assert not_hers.value.code == "handed_to_other_window"
        assert (await wang_fang.call_next(8)).id == d001.id
    finally:
        await wang_fang.aclose()


async def test_the_lead_re_routes_a_waiting_ticket_a_clerk_may_not(day: Day) -> None:
    """D001 waits for 市场监管's licence since 09:00; the citizen actually needs 税务 first. 陈明
    may hand on only what is at his counter; 孙强, 市场监管's duty lead, re-routes the waiting
    ticket to window 5, where 赵丽 calls it. 张伟 reads who sent it: 孙强, from no window."""
    add_staff(day.hall, ("2003", "周涛", "budongchan", "clerk,lead"))  # 不动产登记's lead
    d001 = await day.kiosk.issue("biz-license")
    with pytest.raises(errors.ApiError) as clerk:
        await day.chen_ming.hand_off(d001.id, NOTE, window=5)
    assert (clerk.value.status, clerk.value.code) == (403, "not_yours_to_hand_off")
    other_lead = await signed_in(day.hall, "2003")
    sun_qiang = await signed_in(day.hall, "2002")
    try:
        with pytest.raises(errors.ApiError) as hidden:  # not his department's ticket
            await other_lead.hand_off(d001.id, NOTE, window=5)
        assert hidden.value.status == 404
        day.at("09:10")
        moved = await sun_qiang.hand_off(d001.id, NOTE, window=5)
    finally:
        await other_lead.aclose()
        await sun_qiang.aclose()
    assert (moved.handoff.from_staff, moved.handoff.from_window) == ("2002", None)
    assert (await day.zhao_li.call_next(5)).id == d001.id
    card = await day.zhang_wei.ticket(d001.id)
    assert (card.called_by, card.chain[0].from_staff_name) == ("1005", "孙强")
