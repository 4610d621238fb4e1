"""Dates the hall cannot mean are refused with a clear 422, never a 500 (issue 10 item 8):
`GET /calendar/days/0001-01-01` overflowed converting to UTC and reset the connection."""

from __future__ import annotations

import httpx
import pytest

from clerkdesk.api.client import HallClient
from tests.conftest import RunningHall


def get(hall: RunningHall, client: HallClient, path: str) -> httpx.Response:
    return httpx.get(f"{hall.url}{path}", headers=client.auth_headers())


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
async def test_li_hua_asks_for_a_day_no_hall_calendar_holds(
    hall: RunningHall, li_hua: HallClient, day: str
) -> None:
    asked = get(hall, li_hua, f"/calendar/days/{day}")
    assert asked.status_code == 422, asked.text
    error = asked.json()["error"]
    assert error["code"] == "invalid_input"
    assert "local_date" in error["message"] and "2000-01-01 to 2100-12-31" in error["message"]


async def test_the_first_and_last_days_of_the_range_are_answered(
    hall: RunningHall, li_hua: HallClient
) -> None:
    for day in ("2000-01-01", "2100-12-31"):
        assert get(hall, li_hua, f"/calendar/days/{day}").json()["local_date"] == day


@pytest.mark.parametrize("slot", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
async def test_the_kiosk_books_no_appointment_outside_the_calendar(
    hall: RunningHall, kiosk: HallClient, slot: str
) -> None:
    body = {"service": "hukou", "priority": "appointment", "appointment_at": slot}
    headers = {**kiosk.auth_headers(), "Idempotency-Key": f"slot-{slot}"}
    issued = httpx.post(f"{hall.url}/tickets", json=body, headers=headers)
    assert issued.status_code == 422, issued.text
    assert "appointment_at" in issued.json()["error"]["message"]
