"""Two access rules found by the security review (issue 10), over HTTP against a real hall.

Friday 2026-12-11 in the demo hall: 李华 (1001, 不动产登记) works window 1, 陈明 (1003, 市场监管)
window 3, 张伟 (2001) is the hall's duty lead; the hall closes at 17:30.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from clerkdesk.api import errors
from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient, tls_for
from clerkdesk.api.closing import ClosingClient
from tests.conftest import RunningHall, local, signed_in
from tests.test_closing_day import at_window, give_demo_password, serve_next

# --- item 5: take over, then approve -------------------------------------------------------


async def test_a_lead_who_took_over_the_window_may_not_decide_its_extension(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    hall.clock.set(local("2026-12-11 17:05"))
    await kiosk.issue("bdc-transfer")
    asked = await ClosingClient(li_hua).request_extension(1, 20, "一位群众等候")

    hall.clock.set(local("2026-12-11 17:12"))
    await zhang_wei.sign_in(1, force=True)  # 张伟 takes window 1 over from 李华
    lead = ClosingClient(zhang_wei)
    for decide in (lead.approve_extension(asked.id), lead.deny_extension(asked.id, "不批")):
        with pytest.raises(errors.Forbidden) as refused:
            await decide
        assert (refused.value.code, refused.value.params["window"]) == ("own_window", 1)
        assert "another duty lead or an admin must decide it" in refused.value.message

    await zhang_wei.sign_out(1)  # leaving the window again does not make him a judge of it
    with pytest.raises(errors.Forbidden) as still:
        await lead.approve_extension(asked.id)
    assert still.value.code == "own_window"

    give_demo_password(hall, "admin")
    admin = await signed_in(hall, "admin")
    assert (await ClosingClient(admin).extension(asked.id)).extension.status == (
        w.ExtensionStatus.pending
    )
    approved = await ClosingClient(admin).approve_extension(asked.id)
    assert (approved.status, approved.ends_at) == (
        w.ExtensionStatus.approved,
        local("2026-12-11 17:50"),
    )
    await admin.aclose()


async def test_a_lead_who_holds_the_window_may_not_decide_its_overrun(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    hall.clock.set(local("2026-12-11 17:05"))
    await kiosk.issue("bdc-transfer")
    hall.clock.set(local("2026-12-11 17:15"))
    await serve_next(li_hua, 1, hall, 25)  # served until 17:40, past the 17:30 end
    hall.clock.set(local("2026-12-11 17:42"))
    closed = await ClosingClient(li_hua).close_window(1)
    assert closed.overrun is not None
    hall.clock.set(local("2026-12-11 17:45"))
    await zhang_wei.sign_in(1)  # 张伟 sits down at window 1 after 李华 has left it

    lead = ClosingClient(zhang_wei)
    for decide in (
        lead.confirm_overrun(closed.overrun.id, "群众材料复杂"),
        lead.reject_overrun(closed.overrun.id, "不认可"),
    ):
        with pytest.raises(errors.Forbidden) as refused:
            await decide
        assert refused.value.code == "own_window"

    other_desk = await signed_in(hall, "2001")  # the same lead on another workstation
    with pytest.raises(errors.Forbidden):
        await ClosingClient(other_desk).confirm_overrun(closed.overrun.id)
    await other_desk.aclose()

    give_demo_password(hall, "admin")
    admin = await signed_in(hall, "admin")
    confirmed = await ClosingClient(admin).confirm_overrun(closed.overrun.id, "群众材料复杂")
    assert confirmed.status == w.OverrunStatus.confirmed
    await admin.aclose()


async def test_a_lead_decides_for_a_window_they_left_before_the_request(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    await zhang_wei.sign_in(2)  # 张伟 covers window 2 in the morning, then hands it over
    await zhang_wei.sign_out(2)
    hall.clock.set(local("2026-12-11 17:05"))
    await kiosk.issue("bdc-mortgage")
    clerk = await at_window(hall, "1001", 2)
    asked = await ClosingClient(clerk).request_extension(2, 15, "一位群众等候")
    approved = await ClosingClient(zhang_wei).approve_extension(asked.id)
    assert approved.status == w.ExtensionStatus.approved
    await clerk.aclose()


# --- item 6: existence leaks ----------------------------------------------------------------


def _raw(hall: RunningHall, client: HallClient) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {client.token}"}
    return httpx.AsyncClient(base_url=hall.url, headers=headers, verify=tls_for(hall.url))


_counter = iter(range(10**6))


async def _post(raw: httpx.AsyncClient, path: str, body: dict[str, Any] | None) -> httpx.Response:
    key = {"Idempotency-Key": f"leak-{next(_counter)}"}
    return await raw.post(path, json=body, headers=key)


TICKET_ACTIONS: dict[str, dict[str, Any] | None] = {
    "recall": None,
    "start": None,
    "complete": {"outcome": "done", "notes": ""},
    "no-show": {"reason": "did not come"},
    "park": {"position": "back", "reason": ""},
    "cancel": {"reason": "duplicate"},
}


def _unknown_shape(response: httpx.Response, ref: str) -> dict[str, Any]:
    """The answer with the caller's own reference taken out, to compare it with another's."""
    return {
        "status": response.status_code,
        "body": response.text.replace(f'"{ref}"', '"REF"').replace(f" {ref} ", " REF "),
    }


async def test_another_departments_ticket_is_refused_as_if_it_did_not_exist(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    await kiosk.issue("bdc-transfer")
    done = await serve_next(li_hua, 1, hall, 12)  # A001, 不动产登记, done at window 1
    waiting = await kiosk.issue("bdc-transfer")  # A002, waiting
    chen = await at_window(hall, "1003", 3)  # 陈明, 市场监管
    missing = 9_999_999
    async with _raw(hall, chen) as raw:
        nobody = _unknown_shape(await raw.get(f"/tickets/{missing}"), str(missing))
        assert nobody["status"] == 404

        for ticket in (done, waiting):
            got = await raw.get(f"/tickets/{ticket.id}")
            assert _unknown_shape(got, str(ticket.id)) == nobody
            for action, body in TICKET_ACTIONS.items():
                mine = await _post(raw, f"/tickets/{ticket.id}/{action}", body)
                theirs = await _post(raw, f"/tickets/{missing}/{action}", body)
                assert _unknown_shape(mine, str(ticket.id)) == _unknown_shape(
                    theirs, str(missing)
                ), action
                assert ticket.code not in mine.text and "done" not in mine.text.lower()

            by_id = await _post(raw, "/windows/3/call", {"ticket": str(ticket.id)})
            no_id = await _post(raw, "/windows/3/call", {"ticket": str(missing)})
            assert _unknown_shape(by_id, str(ticket.id)) == _unknown_shape(no_id, str(missing))
            assert ticket.code not in by_id.text

            by_code = await _post(raw, "/windows/3/call", {"ticket": ticket.code})
            no_code = await _post(raw, "/windows/3/call", {"ticket": "A999"})
            assert by_code.status_code == 404
            assert _unknown_shape(by_code, ticket.code) == _unknown_shape(no_code, "A999")

    # Its own department still hears the state: 李华 may see A001 and learns it is done.
    with pytest.raises(errors.Conflict) as own:
        await li_hua.start(done.id)
    assert (own.value.code, own.value.params["current"]) == ("illegal_transition", "done")
    await chen.aclose()
