"""A tide window (潮汐窗口) counts wherever the hall asks who serves a service: Friday 2026-12-11
in the demo hall. 张伟 re-points 王芳's window 8 (综合受理) to 不动产转移登记; while the tide holds,
window 8 serves those citizens at closing time, and it is a window a case can be handed to for
that service. When the tide ends, a case handed to window 8 for it waits at the service's own
windows again."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from clerkdesk.api import errors
from clerkdesk.api.client import HallClient
from clerkdesk.api.closing import ClosingClient
from tests.conftest import RunningHall, local, signed_in
from tests.monitor_support import tide_hall

__all__ = ["tide_hall"]


@pytest.fixture
async def people(tide_hall: RunningHall) -> AsyncIterator[dict[str, HallClient]]:
    clients = {
        "kiosk": await signed_in(tide_hall, "kiosk1"),
        "li_hua": await signed_in(tide_hall, "1001"),
        "wang_fang": await signed_in(tide_hall, "1002"),
        "chen_ming": await signed_in(tide_hall, "1003"),
        "zhang_wei": await signed_in(tide_hall, "2001"),
    }
    yield clients
    for client in clients.values():
        await client.aclose()


async def test_li_hua_closes_while_the_tide_window_serves_her_citizens_and_wang_fang_may_not(
    tide_hall: RunningHall, people: dict[str, HallClient]
) -> None:
    kiosk, li_hua, wang_fang = people["kiosk"], people["li_hua"], people["wang_fang"]
    zhang_wei = people["zhang_wei"]
    await li_hua.sign_in(1)
    await wang_fang.sign_in(8)
    tide_hall.clock.set(local("2026-12-11 16:50"))
    waiting = [await kiosk.issue("bdc-transfer") for _ in range(2)]
    await zhang_wei.open_tide(8, ["bdc-transfer"], "过户排队，8号窗口支援")

    # 17:10: window 8's closing banner counts the transfers at their own service's pace.
    tide_hall.clock.set(local("2026-12-11 17:10"))
    banner = await ClosingClient(wang_fang).closing(8)
    assert [t.code for t in banner.waiting] == [t.code for t in waiting]
    assert "bdc-transfer" in banner.service_minutes

    # 17:35, past the hall's end: window 8 still calls the transfers, so 李华 may close.
    tide_hall.clock.set(local("2026-12-11 17:35"))
    closed = await li_hua.sign_out(1)
    assert closed.holder is None

    # 王芳's window is now the last one calling them: serve-all refuses her close.
    with pytest.raises(errors.Conflict) as refused:
        await wang_fang.sign_out(8)
    assert refused.value.code == "citizens_still_waiting"
    assert refused.value.params["tickets"] == [t.code for t in waiting]


async def test_a_case_goes_to_the_tide_window_and_back_to_the_service_when_the_tide_ends(
    tide_hall: RunningHall, people: dict[str, HallClient]
) -> None:
    kiosk, li_hua, wang_fang = people["kiosk"], people["li_hua"], people["wang_fang"]
    chen_ming, zhang_wei = people["chen_ming"], people["zhang_wei"]
    await wang_fang.sign_in(8)
    await chen_ming.sign_in(3)
    license_ = await kiosk.issue("biz-license")
    await chen_ming.start((await chen_ming.call_next(3)).id)

    # 09:05: window 8 does not serve transfers yet: no hand-off there for one.
    tide_hall.clock.set(local("2026-12-11 09:05"))
    with pytest.raises(errors.Conflict) as refused:
        await chen_ming.hand_off(license_.id, "需办理过户", service="bdc-transfer", window=8)
    assert refused.value.code == "service_not_at_window"

    # 09:06: 张伟 re-points window 8 to transfers; the same hand-off is taken.
    tide_hall.clock.set(local("2026-12-11 09:06"))
    await zhang_wei.open_tide(8, ["bdc-transfer"], "过户排队")
    moved = await chen_ming.hand_off(license_.id, "需办理过户", service="bdc-transfer", window=8)
    assert (moved.handoff.to_window, moved.handoff.go_to_window) == (8, 8)
    assert [t.code for t in (await wang_fang.queue(8)).tickets] == [license_.code]

    # A case handed to the service: the one held window calling it is the tide window.
    second = await kiosk.issue("biz-change")
    await chen_ming.start((await chen_ming.call_next(3)).id)
    to_service = await chen_ming.hand_off(second.id, "需办理过户", service="bdc-transfer")
    assert to_service.handoff.go_to_window == 8

    # 09:30: the tide is revoked; the citizen handed to window 8 for a transfer waits at the
    # transfer windows again: 李华 at window 1 calls them, window 8 no longer shows them.
    tide_hall.clock.set(local("2026-12-11 09:30"))
    await zhang_wei.end_tide(8)
    assert license_.code not in [t.code for t in (await wang_fang.queue(8)).tickets]
    await li_hua.sign_in(1)
    assert [t.code for t in (await li_hua.queue(1)).tickets][:2] == [license_.code, second.code]
    assert (await li_hua.call_next(1)).code == license_.code
