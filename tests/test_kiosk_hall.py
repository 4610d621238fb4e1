"""The kiosk's reads and a ticket's public status link, on a real hall: Friday 2026-12-11 in the
demo hall, 李华 (不动产登记) at window 1, the kiosk issuing."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from clerkdesk.api import errors
from clerkdesk.api import kiosk_schemas as kw
from clerkdesk.api.client import HallClient
from clerkdesk.api.kiosk import KioskClient
from clerkdesk.api.schemas import Priority, TicketStatus
from clerkdesk.hall.rules.queue_order import Waiting
from clerkdesk.hall.rules.ticket_slip import (
    people_ahead,
    status_token,
    ticket_id_of,
    token_matches,
)
from tests.conftest import RunningHall, local


def _service(home: kw.KioskHallOut, code: str) -> kw.KioskServiceOut:
    return next(s for s in home.services if s.service == code)


async def test_at_nine_the_kiosk_sees_every_service_open_with_its_queue_and_wait(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    for _ in range(3):
        await kiosk.issue("bdc-transfer")
    home = await KioskClient(kiosk).services()
    assert home.hall_name == "淮南市政务服务中心" and home.timezone == "Asia/Shanghai"
    transfer = _service(home, "bdc-transfer")
    assert transfer.issuing is kw.Issuing.open
    assert (transfer.waiting, transfer.open_windows) == (3, 1)  # 李华 at window 1
    assert transfer.estimated_wait_s == 3 * 20 * 60  # three cases of 20 minutes, one window
    assert transfer.cutoff_at == local("2026-12-11 17:10")  # 20 minutes before 17:30
    assert transfer.department_name == "不动产登记" and transfer.prefix == "A"
    query = _service(home, "bdc-query")  # nobody serves it yet, nobody waits
    assert (query.waiting, query.estimated_wait_s, query.open_windows) == (0, 0, 0)
    assert [s.service for s in home.services][:3] == ["bdc-transfer", "bdc-mortgage", "bdc-query"]


async def test_past_the_cutoff_the_kiosk_is_told_why_and_when_it_issues_again(
    hall: RunningHall, kiosk: HallClient
) -> None:
    hall.clock.set(local("2026-12-11 17:15"))
    home = await KioskClient(kiosk).services()
    transfer = _service(home, "bdc-transfer")  # 20 minutes: stopped at 17:10
    assert transfer.issuing is kw.Issuing.closed_for_today
    assert transfer.closing == local("2026-12-11 17:30")
    assert transfer.next_opening == local("2026-12-12 09:00")  # Saturday's duty session
    assert _service(home, "bdc-query").issuing is kw.Issuing.open  # 5 minutes: until 17:25
    with pytest.raises(errors.Conflict) as refused:
        await kiosk.issue("bdc-transfer")
    assert refused.value.code == "service_closed_for_today"

    hall.clock.set(local("2026-12-11 20:00"))
    night = await KioskClient(kiosk).services()
    assert {s.issuing for s in night.services} == {kw.Issuing.hall_closed}
    assert _service(night, "hukou").next_opening == local("2026-12-12 09:00")


async def test_a_clerk_does_not_read_the_kiosks_home(hall: RunningHall, li_hua: HallClient) -> None:
    with pytest.raises(errors.Forbidden):
        await KioskClient(li_hua).services()


async def test_the_slip_counts_the_people_ahead_and_links_to_the_tickets_status(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    first = await kiosk.issue("bdc-transfer")
    hall.clock.advance(seconds=30)
    await kiosk.issue("bdc-transfer")
    hall.clock.advance(seconds=30)
    green = await kiosk.issue("bdc-transfer", priority=Priority.green_channel, notes="轮椅")
    hall.clock.advance(seconds=30)
    mine = await kiosk.issue("bdc-transfer")
    desk = KioskClient(kiosk)
    slip = await desk.slip(mine.id)
    assert (slip.code, slip.service_name, slip.people_ahead) == ("A004", "不动产转移登记", 3)
    assert (await desk.slip(green.id)).people_ahead == 0  # the green channel goes first
    assert (await desk.slip(first.id)).people_ahead == 1
    assert slip.status_path.startswith(f"/t/{mine.id}-")

    token = slip.status_path.removeprefix("/t/")
    status = await KioskClient(hall.client()).status(token)  # no sign-in
    assert (status.code, status.status, status.people_ahead, status.window) == (
        "A004",
        TicketStatus.waiting,
        3,
        None,
    )
    called = await li_hua.call_next(1)  # the green-channel citizen
    assert called.id == green.id
    green_token = (await desk.slip(green.id)).status_path.removeprefix("/t/")
    at_window = await KioskClient(hall.client()).status(green_token)
    assert (at_window.status, at_window.window, at_window.people_ahead) == (
        TicketStatus.called,
        1,
        None,
    )
    assert "轮椅" not in at_window.model_dump_json()  # the citizen's note stays in the hall
    assert (await desk.slip(mine.id)).people_ahead == 2


async def test_a_status_link_nobody_was_given_is_not_found(
    hall: RunningHall, kiosk: HallClient
) -> None:
    ticket = await kiosk.issue("hukou")
    slip = await KioskClient(kiosk).slip(ticket.id)
    token = slip.status_path.removeprefix("/t/")
    ticket_part, mac = token.split("-", 1)
    forged = [
        f"{ticket_part}-{'A' * 16}",  # a guessed MAC
        f"{int(ticket_part) + 1}-{mac}",  # another ticket's id with this MAC
        "not-a-token",
        f"{ticket_part}-{mac}x",
    ]
    async with httpx.AsyncClient(base_url=hall.url) as http:
        for bad in forged:
            answer = await http.get(f"/t/{bad}")
            assert answer.status_code == 404, bad
            assert answer.json()["error"]["code"] == "ticket_status_not_found"
        page = await http.get(
            f"/t/{token}", headers={"Accept": "text/html", "Accept-Language": "zh-CN"}
        )
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "F001" in page.text and "户籍业务" in page.text and "等候" in page.text


async def test_a_clerk_cannot_read_a_slip_and_the_kiosk_only_its_own_halls(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    ticket = await kiosk.issue("bdc-transfer")
    with pytest.raises(errors.Forbidden):
        await KioskClient(li_hua).slip(ticket.id)
    with pytest.raises(errors.NotFound):
        await KioskClient(kiosk).slip(ticket.id + 1000)


# --- the rules, as plain functions ------------------------------------------------------------


def test_people_ahead_count_the_stronger_classes_and_the_earlier_arrivals_of_the_service() -> None:
    nine = local("2026-12-11 09:00")

    def waiting(
        ticket_id: int, minutes: int, priority: str = "normal", service: int = 1
    ) -> Waiting:
        return Waiting(ticket_id, service, priority, nine + timedelta(minutes=minutes))

    queue = [
        waiting(1, 0),
        waiting(2, 1, service=2),  # another service: not ahead
        waiting(3, 2, "green_channel"),
        waiting(4, 3),
        waiting(5, 4, "appointment"),  # an appointment before its slot counts as normal
    ]
    assert people_ahead(queue[3], queue, nine) == 2  # 1 (earlier) and 3 (green channel)
    assert people_ahead(queue[2], queue, nine) == 0
    assert people_ahead(queue[4], queue, nine) == 3


def test_a_status_token_is_made_with_the_halls_key_and_names_its_ticket() -> None:
    token = status_token("key-of-huainan", 42)
    assert ticket_id_of(token) == 42 and len(token.split("-", 1)[1]) == 16
    assert token_matches("key-of-huainan", token)
    assert not token_matches("key-of-another-hall", token)
    assert ticket_id_of("042-AAAAAAAAAAAAAAAA") is None  # one spelling per ticket
