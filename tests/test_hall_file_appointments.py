"""The hall file's appointments (预约): `[appointments]` and a service's `appointments = {...}`
are imported, a re-import replaces them, and a wrong kind of day is refused by name."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.hall.appointments.slots import load_policy
from clerkdesk.hall.rules.appointments import Policy
from clerkdesk.hall.setup.hall_file import HallFileError, import_hall, parse_hall
from clerkdesk.hall.store import migrate
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from clerkdesk.hall.store.models import AppointmentRule, Service
from tests.conftest import local


def example() -> dict[str, Any]:
    text = resources.files("clerkdesk.examples").joinpath("hall.toml").read_text("utf-8")
    return tomllib.loads(text)


def service(hall: dict[str, Any], code: str) -> dict[str, Any]:
    return next(s for s in hall["services"] if s["code"] == code)


def rules_of(session: Session) -> dict[str, tuple[int, int, str]]:
    rows = session.execute(
        select(
            Service.code,
            AppointmentRule.slot_minutes,
            AppointmentRule.capacity,
            AppointmentRule.sessions,
        ).join(Service, Service.id == AppointmentRule.service_id)
    )
    return {code: (minutes, capacity, kinds) for code, minutes, capacity, kinds in rows}


def test_the_example_hall_takes_bookings_and_a_re_import_replaces_them(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "hall.sqlite3"))
    try:
        migrate.upgrade(engine)
        hall = example()
        with Session(engine) as session, session.begin():
            import_hall(session, parse_hall(hall), local("2026-12-11 08:00"))
        with Session(engine) as session:
            assert rules_of(session) == {
                "bdc-transfer": (30, 2, "ordinary,weekend,holiday"),
                "hukou": (30, 3, "weekend,holiday"),
                "shebao-card": (30, 4, "weekend,holiday"),
                "gjj-loan": (60, 1, "ordinary"),
            }
            assert load_policy(session, 1) == Policy(30, 10, 14)

        del service(hall, "hukou")["appointments"]
        service(hall, "gjj-loan")["appointments"]["capacity"] = 2
        hall["appointments"] = {"check_in_early_minutes": 15, "grace_minutes": 5, "days_ahead": 7}
        with Session(engine) as session, session.begin():
            import_hall(session, parse_hall(hall), local("2026-12-11 08:30"))
        with Session(engine) as session:
            found = rules_of(session)
            assert "hukou" not in found and found["gjj-loan"] == (60, 2, "ordinary")
            policy = load_policy(session, 1)
            assert (policy.early_minutes, policy.grace_minutes, policy.days_ahead) == (15, 5, 7)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"sessions": ["sunday"]}, "unknown session kind 'sunday'"),
        ({"capacity": 0}, "services.5.appointments.capacity"),
        ({"slot_minutes": 2}, "services.5.appointments.slot_minutes"),
        ({"places": 3}, "services.5.appointments.places"),
    ],
)
def test_a_wrong_appointment_rule_is_refused_by_name(change: dict[str, Any], named: str) -> None:
    hall = example()
    service(hall, "hukou")["appointments"] |= change
    with pytest.raises(HallFileError, match=named):
        parse_hall(hall)
