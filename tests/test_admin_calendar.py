"""`clerkdesk admin calendar`: the admin of the 淮南 hall sees the coming days, closes New Year's
Eve afternoon as a rest day, opens a night session, confirms 2027 — without editing the hall file.
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.cli import main
from clerkdesk.cli.admin_calendar import DAY_TYPE_NAMES
from clerkdesk.hall.calendar.store import load_calendar, unconfirmed_years
from clerkdesk.hall.rules.calendar import day_info, opening_intervals
from clerkdesk.hall.rules.day_types import DayType
from clerkdesk.hall.store.engine import make_engine
from clerkdesk.hall.store.models import Event, Hall
from tests.conftest import local

EXAMPLE = Path(__file__).parent.parent / "clerkdesk" / "examples" / "hall.toml"


class Admin:
    def __init__(self, url: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.url = url
        self.capsys = capsys

    def run(self, *words: str) -> tuple[int, str, str]:
        code = main(["admin", "--db", self.url, "calendar", "--lang", "en", *words])
        out, err = self.capsys.readouterr()
        return code, out, err

    def read(self) -> Session:
        return Session(make_engine(self.url))


@pytest.fixture
def admin(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Admin:
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    assert main(["admin", "--db", url, "import", str(EXAMPLE)]) == 0
    capsys.readouterr()
    return Admin(url, capsys)


def calendar_events(session: Session) -> int:
    return len(session.scalars(select(Event).where(Event.kind == "calendar.updated")).all())


def test_show_lists_the_coming_days_and_the_weekly_duty_session(admin: Admin) -> None:
    code, out, _ = admin.run("show", "--from", "2026-12-31", "--days", "3")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Hall huainan (Asia/Shanghai)"
    assert any(line.startswith("! 2027:") for line in lines)  # not yet confirmed
    [thursday] = [line for line in lines if line.startswith("2026-12-31")]
    assert "workday" in thursday and "09:00–17:30" in thursday
    [new_year] = [line for line in lines if line.startswith("2027-01-01")]
    assert "statutory holiday" in new_year and "closed" in new_year and "元旦" in new_year
    [saturday] = [line for line in lines if line.startswith("2027-01-02")]
    assert "09:00–12:00" in saturday and "周六值班" in saturday
    assert "every Sat  09:00–12:00  周六值班" in out


def test_an_admin_day_type_and_a_night_session_change_the_hours_and_tell_the_screens(
    admin: Admin,
) -> None:
    assert admin.run("set-day", "2026-12-31", "rest_day", "--note", "元旦前一日")[0] == 0
    code, out, _ = admin.run("add-session", "2027-01-02", "20:00", "02:00", "夜间值班")
    assert (code, out.strip()) == (0, "Duty session 2 added: 2027-01-02  20:00–02:00  夜间值班")
    with admin.read() as session:
        calendar = load_calendar(session, session.scalars(select(Hall.id)).one())
        assert day_info(calendar, date(2026, 12, 31)).day_type is DayType.REST_DAY
        assert opening_intervals(calendar, date(2026, 12, 31)) == []
        hours = [(a.time(), b.time()) for a, b in opening_intervals(calendar, date(2027, 1, 2))]
        assert hours == [(time(9), time(12)), (time(20), time(2))]
        assert calendar_events(session) == 2  # open screens read the calendar again

    # Undone: the date follows the national calendar again; a repeat changes nothing.
    assert admin.run("clear-day", "2026-12-31")[1].strip() == (
        "2026-12-31 follows the national calendar again."
    )
    assert "nothing was changed" in admin.run("clear-day", "2026-12-31")[1]
    assert admin.run("remove-session", "2")[0] == 0
    with admin.read() as session:
        calendar = load_calendar(session, session.scalars(select(Hall.id)).one())
        assert day_info(calendar, date(2026, 12, 31)).day_type is DayType.WORKDAY
        assert len(opening_intervals(calendar, date(2027, 1, 2))) == 1
        assert calendar_events(session) == 4


def test_confirming_2027_removes_its_flag(admin: Admin) -> None:
    code, out, _ = admin.run("confirm-year", "2027")
    assert (code, out.strip()) == (0, "2027 confirmed: leads and admins no longer see it flagged.")
    with admin.read() as session:
        calendar = load_calendar(session, session.scalars(select(Hall.id)).one())
        assert 2027 not in unconfirmed_years(calendar, local("2026-12-11 09:00").date())
    assert "! 2027" not in admin.run("show", "--days", "1")[1]


@pytest.mark.parametrize(
    ("words", "says"),
    [
        (("add-session", "funday", "20:00", "02:00", "x"), "neither a date"),
        (("add-session", "sat", "09:00", "09:00", "x"), "different start and end"),
        (("add-session", "sat", "09:00", "12:00", " "), "needs a label"),
        (("remove-session", "99"), "No duty session 99"),
        (("show", "--days", "0"), "between 1 and 366"),
    ],
)
def test_a_wrong_edit_changes_nothing_and_says_what_to_do(
    admin: Admin, words: tuple[str, ...], says: str
) -> None:
    code, _out, err = admin.run(*words)
    assert code == 2
    assert err.startswith("Nothing was changed.") and says in err
    with admin.read() as session:
        assert calendar_events(session) == 0
        assert len(load_calendar(session, session.scalars(select(Hall.id)).one()).sessions) == 1


def test_a_date_that_is_not_one_is_refused_by_the_parser(admin: Admin) -> None:
    with pytest.raises(SystemExit) as stopped:
        admin.run("set-day", "2026-02-30", "workday")
    assert stopped.value.code == 2
    assert "is not a date: write it as 2026-12-31" in admin.capsys.readouterr().err


def test_an_empty_database_says_to_import_a_hall_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = Admin(f"sqlite:///{tmp_path / 'empty.db'}", capsys)
    code, _, err = admin.run("show")
    assert code == 2 and "clerkdesk admin import HALL.toml" in err


def test_every_day_type_has_a_name_to_show() -> None:
    assert set(DAY_TYPE_NAMES) == {t.value for t in w.DayType}
