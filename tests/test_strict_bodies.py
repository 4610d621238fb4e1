"""Bad input at the counter, over HTTP: a boolean or a string is never taken for a number or a
flag. Each is refused 422 `wrong_type` naming the field, and nothing is changed."""

from __future__ import annotations

import itertools

import httpx
import pytest

from clerkdesk.api.client import HallClient, tls_for
from clerkdesk.api.closing import ClosingClient
from tests.conftest import RunningHall, local

_keys = itertools.count(1)


async def post(hall: RunningHall, client: HallClient, path: str, body: object) -> httpx.Response:
    headers = {**client.auth_headers(), "Idempotency-Key": f"strict-{next(_keys)}"}
    async with httpx.AsyncClient(
        base_url=hall.url, headers=headers, verify=tls_for(hall.url)
    ) as http:
        return await http.post(path, json=body)


def refused_for(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["params"]["field"]) == ("wrong_type", field)
    assert error["message"].startswith(field)


@pytest.mark.parametrize("minutes", [True, "30", 30.5, None])
async def test_li_hua_asks_for_minutes_only_as_a_whole_number(
    hall: RunningHall, li_hua: HallClient, minutes: object
) -> None:
    """17:10, window 1: `{"minutes": true}` once asked for one minute, `"30"` for thirty."""
    hall.clock.set(local("2026-12-11 17:10"))
    asked = await post(hall, li_hua, "/windows/1/extensions", {"minutes": minutes, "reason": "x"})
    if minutes is None:  # null is no number either, but a missing value: the usual refusal
        assert asked.status_code == 422
    else:
        refused_for(asked, "minutes")
    banner = await ClosingClient(li_hua).closing(1)
    assert banner.extension is None  # nothing was asked
    fine = await post(hall, li_hua, "/windows/1/extensions", {"minutes": 30, "reason": "x"})
    assert fine.status_code == 201


@pytest.mark.parametrize("force", ["yes", "true", 1, 0])
async def test_a_take_over_is_asked_for_with_true_only(
    hall: RunningHall, li_hua: HallClient, zhang_wei: HallClient, force: object
) -> None:
    """张伟 at window 1, held by 李华: `{"force": "yes"}` once took it over."""
    took = await post(hall, zhang_wei, "/windows/1/sign-in", {"force": force})
    refused_for(took, "force")
    assert (await li_hua.me()).session is not None  # 李华 still holds window 1


async def test_a_lead_approves_minutes_only_as_a_whole_number(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    for minutes in (False, "10"):
        refused_for(
            await post(hall, zhang_wei, "/extensions/1/approve", {"minutes": minutes}), "minutes"
        )
    refused_for(
        await post(hall, zhang_wei, "/admin/calendar/confirm-year", {"year": "2027"}), "year"
    )
