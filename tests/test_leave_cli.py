"""`clerkdesk leave`: 李华 looks at her comp leave from a terminal, asks for half an hour off and
takes the request back, through the hall's API with the sign-in the workstation stored; and her
balance is the same figure in `clerkdesk leave --json`, in GET /me/leave, for her duty lead (GET
/staff/1001/leave, GET /leave/balances and the balances board of his screen), in the HR export
and on her workstation's My leave screen (issue 11, item 8)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from clerkdesk import cli
from clerkdesk.api.ledger import LedgerClient
from clerkdesk.config import Settings, save_settings
from clerkdesk.credentials import TokenStore
from clerkdesk.widgets.my_leave import LeaveSummary
from tests.conftest import RunningHall
from tests.test_leave_day import credit_by_claim, evenings_worked
from tests.test_tui_leave import at_my_leave
from tests.tui_support import app_for, at_counter


def a_day_of_leave(hall: RunningHall) -> None:
    """Thursday evening 李华 worked 18:00-19:50 on a claim 张伟 approved (105 minutes credited);
    she took an hour off on Monday 14th, and is rostered for Saturday's duty. She signed in at
    the workstation on this computer, which stored her token."""

    async def build() -> None:
        async with hall.client() as li, hall.client() as zhang:
            await zhang.login("2001", "demo")
            answer = await li.login("1001", "demo")
            clerk, lead = LedgerClient(li), LedgerClient(zhang)
            await credit_by_claim(hall, clerk, lead, "2026-12-10 18:00", "2026-12-10 19:50")
            asked = await clerk.request_leave(date(2026, 12, 14), hours=1, reason="看牙")
            await lead.approve_leave(asked.id)
            await lead.assign_duty("1001", date(2026, 12, 12))
            TokenStore().save(hall.url, "1001", answer.token, answer.expires_at)

    asyncio.run(build())
    save_settings(Settings(server=hall.url, staff_no="1001"))


def leave_json(capsys: pytest.CaptureFixture[str], *more: str) -> dict[str, object]:
    assert cli.main(["--lang", "en", "leave", "--json", *more]) == 0
    answer: dict[str, object] = json.loads(capsys.readouterr().out)
    return answer


async def on_her_screen(hall: RunningHall) -> tuple[int, str]:
    """李华 at window 1 presses v: the balance My leave holds, and its summary as shown."""
    app = app_for(hall, staff_no="1001", window=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_counter(pilot)
        screen = await at_my_leave(pilot)
        assert screen.leave.balance is not None
        return screen.leave.balance.balance_minutes, str(screen.query_one(LeaveSummary).render())


async def on_the_leads_board(hall: RunningHall) -> tuple[int, str]:
    """张伟 opens his lead screen and presses b: 李华's line on the balances board."""
    from clerkdesk.widgets.lead_views import BalancesTable
    from tests.test_tui_duty_lead import lead_app, lead_without_window
    from tests.tui_support import wait_for

    app = lead_app(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await lead_without_window(pilot)
        await pilot.press("b")
        table = screen.query_one(BalancesTable)
        await wait_for(pilot, lambda: "1001" in table.keys)
        line = screen.balances.find("1001")
        assert line is not None
        shown = table.get_row_at(table.keys.index("1001"))
        return line.balance_minutes, " ".join(str(cell) for cell in shown)


def test_the_balance_agrees_on_the_screen_the_command_line_the_api_the_lead_and_the_export(
    hall: RunningHall, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    a_day_of_leave(hall)

    on_the_screen, summary = asyncio.run(on_her_screen(hall))

    on_the_command_line = leave_json(capsys)["balance_minutes"]

    on_the_board, board_line = asyncio.run(on_the_leads_board(hall))

    async def from_the_api() -> tuple[int, int, int]:
        async with hall.client() as li, hall.client() as zhang:
            await li.login("1001", "demo")
            await zhang.login("2001", "demo")
            mine = await LedgerClient(li).my_leave()
            seen = await LedgerClient(zhang).staff_leave("1001")
            listed = await LedgerClient(zhang).balances()
            assert {e.local_date.strftime("%Y-%m") for e in mine.ledger} == {"2026-12"}
            line = next(x for x in listed.staff if x.staff.staff_no == "1001")
            return mine.balance_minutes, seen.balance_minutes, line.balance_minutes

    me, lead, lead_list = asyncio.run(from_the_api())
    out = tmp_path / "leave.csv"
    export = ["export", "leave", "--month", "2026-12", "--db", hall.database_url]
    assert cli.main([*export, "--out", str(out)]) == 0
    rows = csv.DictReader(io.StringIO(out.read_text("utf-8-sig")))
    exported = sum(int(row["minutes"]) for row in rows if row["staff_no"] == "1001")

    assert on_the_screen == on_the_command_line == me == lead == exported == 105 - 60
    assert on_the_board == lead_list == 105 - 60
    assert "Balance 45 min = 0.09 days (a leave day is 8 h)" in summary  # what she reads
    assert board_line.startswith("李华 1001 45 min 0.09")  # what her duty lead reads


def test_the_tables_show_the_balance_the_ledger_with_sources_and_the_coming_duty(
    hall: RunningHall, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a_day_of_leave(hall)
    monkeypatch.setenv("COLUMNS", "120")  # a terminal wide enough for whole sources

    assert cli.main(["--lang", "en", "--server", hall.url, "leave"]) == 0

    shown = capsys.readouterr().out
    assert "李华 (1001): comp leave 45 minutes = 0.09 days (480 minutes a day)" in shown
    assert "Nothing expires within 30 days." in shown
    ledger = shown[shown.index("Ledger") : shown.index("Coming duties")]
    assert "+105" in ledger and "claim:1:2026-12-10" in ledger
    assert "-60" in ledger and "leave taken" in ledger and "leave:1" in ledger
    duties = shown[shown.index("Coming duties") :]
    assert "2026-12-12" in duties and "09:00-12:00" in duties and "周六值班" in duties


def test_asking_for_half_an_hour_and_taking_it_back(
    hall: RunningHall, capsys: pytest.CaptureFixture[str]
) -> None:
    a_day_of_leave(hall)

    asked = leave_json(capsys, "request", "2026-12-15", "--hours", "0.5", "--reason", "家长会")
    assert (asked["status"], asked["minutes"]) == ("pending", 30)
    assert leave_json(capsys)["pending_minutes"] == 30

    assert cli.main(["--lang", "en", "leave", "cancel", str(asked["id"])]) == 0
    assert capsys.readouterr().out.startswith(f"Leave request {asked['id']}: 2026-12-15,")
    assert leave_json(capsys)["pending_minutes"] == 0


def test_a_whole_day_beyond_the_balance_is_refused_saying_what_is_free(
    hall: RunningHall, capsys: pytest.CaptureFixture[str]
) -> None:
    a_day_of_leave(hall)

    assert cli.main(["--lang", "en", "leave", "request", "2026-12-15"]) == 1

    told = capsys.readouterr()
    assert told.out == ""
    assert "Not enough comp leave: 8 h asked, 0.75 h free (balance 0.75 h)." in told.err


def test_with_nobody_signed_in_it_says_to_sign_in_at_the_workstation_first(
    hall: RunningHall, capsys: pytest.CaptureFixture[str]
) -> None:
    save_settings(Settings(server=hall.url))

    assert cli.main(["--lang", "en", "leave"]) == 2

    assert "sign in at the workstation first" in capsys.readouterr().err


def test_a_year_of_evenings_shows_the_newest_entries_and_all_of_them_when_asked(
    hall: RunningHall, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """李华 has a year of Thursday evenings in her ledger besides this week's: the table shows the
    newest 50 entries and says how to see them all; `--json` carries the same balance whether
    it holds one page or, with `--all`, the whole ledger."""
    evenings_worked(hall, "1001", date(2025, 12, 18), 51)  # to 2026-12-03: 51 × 90 minutes
    a_day_of_leave(hall)
    balance = 51 * 90 + 105 - 60

    newest = leave_json(capsys)
    whole = leave_json(capsys, "--all")
    assert newest["balance_minutes"] == whole["balance_minutes"] == balance
    assert (len(newest["ledger"]), newest["ledger_total"]) == (50, 53)  # type: ignore[arg-type]
    assert len(whole["ledger"]) == whole["ledger_total"] == 53  # type: ignore[arg-type]
    assert sum(e["minutes"] for e in whole["ledger"]) == balance  # type: ignore[index, union-attr]

    monkeypatch.setenv("COLUMNS", "120")
    assert cli.main(["--lang", "en", "leave"]) == 0
    assert "The newest 50 of 53 ledger entries: `clerkdesk leave --all`" in capsys.readouterr().out
    assert cli.main(["--lang", "en", "leave", "--all"]) == 0
    assert "ledger entries" not in capsys.readouterr().out
