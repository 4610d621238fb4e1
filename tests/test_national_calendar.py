"""The national holiday calendar the hall loads: the library's own, loaded without its 250 other
countries, and safe when the first requests after a start all need it at once."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date

import holidays
import pytest

from clerkdesk.hall.calendar.national import china_calendar
from clerkdesk.hall.rules.day_types import DayType, classify_day


@pytest.mark.parametrize("observed", [True, False])
def test_the_china_calendar_loaded_from_its_file_is_the_librarys_own(observed: bool) -> None:
    """The hall loads the China module alone (the countries package imports 250 countries);
    what it yields must be exactly what `holidays.country_holidays("CN")` yields."""
    years = (2024, 2025, 2026, 2027)
    ours = china_calendar()(years=years, observed=observed, language="zh_CN", expand=False)
    theirs = holidays.country_holidays(
        "CN", years=years, observed=observed, language="zh_CN", expand=False
    )
    assert dict(ours.items()) == dict(theirs.items())
    assert len(ours) > 40
    assert ours.weekend_workdays == theirs.weekend_workdays
    assert ours.special_public_holidays == theirs.special_public_holidays


def test_the_rules_classify_the_same_with_the_halls_calendar() -> None:
    national = china_calendar()
    for day, day_type in (
        (date(2025, 10, 1), DayType.STATUTORY_HOLIDAY),
        (date(2026, 2, 14), DayType.WORKDAY),
        (date(2026, 1, 2), DayType.REST_DAY),
    ):
        assert classify_day(day, national=national) == classify_day(day)
        assert classify_day(day, national=national).day_type is day_type


FIRST_REQUESTS = textwrap.dedent(
    """
    import sys
    import threading
    from datetime import date

    from clerkdesk.hall.calendar.national import china_calendar
    from clerkdesk.hall.rules.day_types import classify_day

    THREADS = 24
    start = threading.Barrier(THREADS)
    answers, failures = [], []

    def first_request():
        start.wait()
        try:
            national = china_calendar()
            answers.append((national, classify_day(date(2026, 10, 1), national=national)))
        except BaseException as exc:
            failures.append(repr(exc))

    threads = [threading.Thread(target=first_request) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    assert len(answers) == THREADS
    assert len({national for national, _ in answers}) == 1
    assert {info.day_type.value for _, info in answers} == {"statutory_holiday"}
    assert "holidays.countries" not in sys.modules, "the 250 countries were imported"
    print("ok", len(answers))
    """
)


def test_24_first_requests_at_once_in_a_fresh_process_all_get_the_calendar() -> None:
    """A fresh interpreter, so the calendar is not loaded yet: 24 threads ask for it at the same
    moment (the first logins and kiosk issues after a start). None sees a half-loaded module,
    and the start-up saving holds: the library's countries package is never imported."""
    done = subprocess.run(
        [sys.executable, "-c", FIRST_REQUESTS], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ok", "24"]
