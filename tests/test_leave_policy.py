"""The hall file's `[leave]` policy becomes a policy version (a change applies to new entries
only), and the ledger's refusals read in the clerk's language."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from clerkdesk import i18n
from clerkdesk.api.errors import Conflict
from clerkdesk.demo import demo_hall
from clerkdesk.hall.rules.accrual import LeavePolicy, Rounding
from clerkdesk.hall.setup import hall_file
from clerkdesk.hall.setup.hall_file import HallFileError, parse_hall
from clerkdesk.hall.setup.leave_policy import LeaveSpec, load_leave_policy
from clerkdesk.hall.store import migrate
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from clerkdesk.hall.store.models import Hall
from clerkdesk.state.ledger_refusals import explain_ledger
from tests.conftest import local

LABOUR_LAW = {
    "rates": {"workday": 1.5, "rest_day": 2.0, "statutory_holiday": 3.0},
    "unit_minutes": 30,
    "rounding": "nearest",
    "monthly_cap_hours": 36,
}


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    engine = make_engine(sqlite_url(tmp_path / "hall.sqlite3"))
    migrate.upgrade(engine)
    with Session(engine) as session, session.begin():
        yield session
    engine.dispose()


def import_with(session: Session, leave: dict[str, object] | None, at: datetime) -> LeavePolicy:
    spec = demo_hall()
    if leave is not None:
        spec = spec.model_copy(update={"leave": LeaveSpec.model_validate(leave)})
    hall_file.import_hall(session, spec, at)
    hall = session.query(Hall).one()
    return load_leave_policy(session, hall.id)


def test_a_hall_without_leave_policy_credits_one_to_one_in_quarter_hours(session: Session) -> None:
    policy = import_with(session, None, local("2026-12-01 08:00"))
    assert policy == LeavePolicy()  # version 0: nothing stored


def test_a_changed_policy_is_a_new_version_and_the_same_one_again_is_not(session: Session) -> None:
    first = import_with(session, LABOUR_LAW, local("2026-12-01 08:00"))
    assert (first.version, first.rate_workday, first.rate_holiday) == (1, 150, 300)
    assert (first.unit_minutes, first.rounding, first.monthly_cap) == (30, Rounding.NEAREST, 2160)
    again = import_with(session, LABOUR_LAW, local("2026-12-02 08:00"))
    assert again.version == 1
    back = import_with(session, {}, local("2026-12-03 08:00"))
    assert (back.version, back.rate_workday) == (2, 100)


def test_a_rate_outside_the_law_is_refused_with_where_it_is() -> None:
    raw = demo_hall().model_dump(mode="json", exclude_none=True)
    raw["leave"] = {"rates": {"rest_day": 2.5}}
    with pytest.raises(HallFileError, match=r"leave\.rates\.rest_day"):
        parse_hall(raw)


def test_not_enough_leave_reads_in_chinese_with_the_balance() -> None:
    refusal = Conflict(
        409,
        "not_enough_leave",
        "…",
        {"wanted_minutes": 480, "available_minutes": 150, "pending_minutes": 30,
         "balance_minutes": 150},
    )  # fmt: skip
    try:
        i18n.set_language("zh")
        assert (
            explain_ledger(refusal) == "调休余额不足：申请 8 小时，可用 2 小时（余额 2.5 小时）。"
        )
        i18n.set_language("en")
        assert explain_ledger(refusal) == (
            "Not enough comp leave: 8 h asked, 2 h free (balance 2.5 h)."
        )
    finally:
        i18n.set_language("en")
