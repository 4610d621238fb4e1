"""A defect in the hall still answers in the API's own shape: JSON with a stable code, never
Starlette's plain-text "Internal Server Error" (which the workstation cannot read)."""

from __future__ import annotations

import httpx
import pytest

from clerkdesk.api.schemas import ErrorResponse
from clerkdesk.demo import DEMO_PASSWORD
from clerkdesk.hall.access import principal
from clerkdesk.hall.routes import auth as auth_routes
from tests.conftest import RunningHall


def _internal_error(response: httpx.Response) -> None:
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    error = ErrorResponse.model_validate_json(response.content).error
    assert error.code == "internal_error"
    assert "try again" in error.message and "admin" in error.message


def test_a_sign_in_that_fails_inside_answers_json_with_a_stable_code(
    hall: RunningHall, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The failure seen after a start: the calendar half-loaded, `AttributeError` on `China`."""

    def half_loaded(*_args: object) -> bool:
        raise AttributeError("module 'holidays.countries.china' has no attribute 'China'")

    monkeypatch.setattr(principal, "password_matches", half_loaded)
    response = httpx.post(
        f"{hall.url}/auth/login", json={"staff_no": "1001", "password": DEMO_PASSWORD}
    )
    _internal_error(response)


def test_a_read_that_fails_inside_answers_json_with_a_stable_code(
    hall: RunningHall, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = httpx.post(
        f"{hall.url}/auth/login", json={"staff_no": "1001", "password": DEMO_PASSWORD}
    ).json()["token"]

    def broken(*_args: object) -> None:
        raise RuntimeError("a defect")

    monkeypatch.setattr(auth_routes, "me_of", broken)
    response = httpx.get(f"{hall.url}/me", headers={"Authorization": f"Bearer {token}"})
    _internal_error(response)
