"""Bad input never breaks the hall service: schemathesis generates valid and invalid requests for
every operation in the live server's /openapi.json (about 350 in all) and fails on any 5xx, on
an answer that does not match its declared schema, and on an undeclared status code."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.schemas import BaseSchema

from clerkdesk.api.schemas import ErrorResponse
from clerkdesk.clock import ManualClock
from clerkdesk.demo import DEMO_PASSWORD
from clerkdesk.hall.store.engine import sqlite_url
from tests.conftest import RunningHall, local, signed_in, start_hall

# (operation, status) -> how many answers; the fuzzed hall's teardown reads it.
ANSWERS: Counter[tuple[str, int]] = Counter()
# Random valid and invalid requests only (the fuzzing phase): the deterministic boundary-value
# phase would add ~25 cases per operation, about 850 in all, for what the hand-picked list at the
# end of this module covers in 23.
CONFIG = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@pytest.fixture(scope="module")
def fuzzed_hall(
    tmp_path_factory: pytest.TempPathFactory, _seeded_sqlite_file: Path
) -> Iterator[tuple[RunningHall, dict[str, str]]]:
    """One server for the whole run; 张伟 (lead, also a clerk) signed in at window 1, and a few
    tickets waiting, so that valid requests reach the code behind the validation."""
    path = tmp_path_factory.mktemp("fuzz") / "hall.sqlite3"
    path.write_bytes(_seeded_sqlite_file.read_bytes())
    clock = ManualClock(local("2026-12-11 09:00"))
    hall = start_hall(sqlite_url(path), clock, seeded=True, api_docs=True)
    with httpx.Client(base_url=hall.url) as http:
        login = http.post("/auth/login", json={"staff_no": "2001", "password": DEMO_PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        http.post("/windows/1/sign-in", json={}, headers={**headers, "Idempotency-Key": "s1"})
        for n, service in enumerate(["bdc-transfer", "bdc-mortgage", "hukou"]):
            http.post(
                "/tickets",
                json={"service": service},
                headers={**headers, "Idempotency-Key": f"t{n}"},
            )
    yield hall, headers
    hall.server.stop()
    if ANSWERS:  # the fuzz test ran in this process (pytest-xdist may run it in another)
        the_fuzzer_got_past_sign_in_and_validation()


def the_fuzzer_got_past_sign_in_and_validation() -> None:
    """Guards the fuzz test, at the end of the server it used (in the process that ran it,
    whichever pytest-xdist worker that is): if its token were refused, every answer would be a
    well-formed 401 and it would pass without testing anything. Every operation must have been
    answered at least once by the code behind the sign-in and the input validation."""
    operations = {label for label, _ in ANSWERS}
    reached = {
        label
        for label, status in ANSWERS
        if status not in (400, 405, 422) and (status != 401 or label == "POST /auth/login")
    }
    assert operations - reached == set(), sorted(ANSWERS.items())
    for label in ("GET /hall", "GET /me", "GET /windows", "GET /tickets"):
        assert ANSWERS[(label, 200)] > 0, label


@pytest.fixture(scope="module")
def api_schema(fuzzed_hall: tuple[RunningHall, dict[str, str]]) -> BaseSchema:
    hall, _ = fuzzed_hall
    return schemathesis.openapi.from_url(f"{hall.url}/openapi.json", config=CONFIG)


schema = schemathesis.pytest.from_fixture("api_schema").exclude(
    # The event stream never ends (tests/test_events.py covers it); a logout would end the
    # fuzzer's own sign-in (tests/test_auth.py covers it).
    path=["/events", "/auth/logout"],
)


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_breaks_the_hall_service(
    case: Case, fuzzed_hall: tuple[RunningHall, dict[str, str]]
) -> None:
    hall, headers = fuzzed_hall
    response = case.call_and_validate(base_url=hall.url, headers=headers, checks=CHECKS, timeout=10)
    ANSWERS[(case.operation.label, response.status_code)] += 1


# --- the nastiest inputs, by hand, on SQLite and PostgreSQL ---------------------------------

NUL = "\x00"
# (method, path, json body or raw bytes, expected status, the field a 422 must name)
NASTY: list[tuple[str, str, object, int, str | None]] = [
    ("POST", "/auth/login", {"staff_no": f"10{NUL}01", "password": "demo"}, 422, "staff_no"),
    ("POST", "/tickets", {"service": f"huk{NUL}ou"}, 422, "service"),
    ("POST", "/tickets", {"service": "hukou", "notes": f"x{NUL}"}, 422, "notes"),
    ("POST", "/tickets", {}, 422, "service"),
    ("POST", "/tickets", {"service": "hukou", "priority": "vip"}, 422, "priority"),
    ("POST", "/tickets", {"service": "hukou", "extra": 1}, 422, "extra"),
    ("POST", "/tickets", {"service": "no-such-service"}, 404, None),
    ("POST", "/tickets", b"\xff\xfe{", 400, None),
    ("POST", "/tickets", b"not json", 422, "body"),
    ("POST", "/windows/1/call", {"ticket": "²"}, 404, None),
    ("POST", "/windows/1/call", {"ticket": "9" * 30}, 404, None),
    ("POST", "/windows/1/call", {"ticket": f"A{NUL}"}, 422, "ticket"),
    ("POST", "/tickets/999999/cancel", {"reason": "left"}, 404, None),
    ("POST", "/tickets/1/no-show", {"reason": "  "}, 422, "reason"),
    ("GET", "/tickets/999999", None, 404, None),
    ("GET", f"/tickets/{10**30}", None, 422, "path.ticket_id"),
    ("GET", "/tickets/abc", None, 422, "path.ticket_id"),
    ("GET", "/tickets?status=lost", None, 422, "query.status"),
    ("GET", "/tickets/by-code/A%00", None, 422, "path.code"),
    ("GET", "/tickets/by-code/Z999", None, 404, None),
    ("GET", "/windows/0/queue", None, 422, "path.number"),
    ("GET", "/windows/77/queue", None, 404, None),
    ("GET", "/events?after=-1", None, 422, "query.after"),
    ("GET", "/nowhere", None, 404, None),
    ("DELETE", "/tickets", None, 405, None),
]


async def test_the_nastiest_inputs_get_a_refusal_that_names_the_problem(
    any_hall: RunningHall,
) -> None:
    lead = await signed_in(any_hall, "2001")
    await lead.sign_in(1)
    async with httpx.AsyncClient(base_url=any_hall.url, headers=lead.auth_headers()) as http:
        for n, (method, path, body, status, field) in enumerate(NASTY):
            sent = {"content": body} if isinstance(body, bytes) else {"json": body}
            response = await http.request(
                method,
                path,
                headers={"Idempotency-Key": f"nasty-{n}", "Content-Type": "application/json"},
                **sent,
            )
            case = (method, path, body, response.text)
            assert response.status_code == status, case
            error = ErrorResponse.model_validate_json(response.content).error
            assert error.message.endswith("."), case
            if field is not None:
                assert error.params["problems"][0]["field"] == field, case
                assert error.message.startswith(f"{field}: "), case
    await lead.aclose()
