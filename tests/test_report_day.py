"""The day report against a day computed by hand: Friday 2026-12-11 in the demo hall (with
reserve window 20), 李华 at window 1, 王芳 at window 8, 张伟 the duty lead.

    09:00 A001 不动产转移登记      09:05 A002      09:10 E001 企业变更登记
    09:10 李华 calls A001, 09:12 starts, 09:22 done            wait 10:00, service 10:00
    09:22 李华 calls A002, 09:23 recalls, 09:25 no-show         wait 17:00
    09:30 张伟 re-points window 8 to 不动产转移登记 (a tide window); A003 issued
    09:31 王芳 calls A003, starts, 09:41 done (at the tide)     wait 1:00, service 10:00
    09:41 王芳 calls E001, 09:42 starts, 09:50 done              wait 31:00, service 8:00
    09:50 B001 不动产抵押登记 issued, never called
    17:10 李华 asks 20 more minutes, 张伟 approves 15; the report is read at 17:30.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.orm import Session

from clerkdesk.api.client import HallClient
from clerkdesk.api.closing import ClosingClient
from clerkdesk.cli import report as report_cli
from clerkdesk.cli.main import main
from clerkdesk.hall.monitor.day_report import DayReport, read_day
from clerkdesk.hall.store.engine import make_engine
from tests.conftest import RunningHall, local, signed_in
from tests.monitor_support import tide_hall

__all__ = ["tide_hall"]
DAY = local("2026-12-11 00:00").date()


@pytest.fixture
async def the_day(tide_hall: RunningHall) -> AsyncIterator[RunningHall]:
    clock = tide_hall.clock
    kiosk = await signed_in(tide_hall, "kiosk1")
    li_hua = await signed_in(tide_hall, "1001")
    wang_fang = await signed_in(tide_hall, "1002")
    zhang_wei = await signed_in(tide_hall, "2001")
    people: list[HallClient] = [kiosk, li_hua, wang_fang, zhang_wei]
    try:
        await li_hua.sign_in(1)
        await wang_fang.sign_in(8)

        async def at(hhmm: str) -> None:
            clock.set(local(f"2026-12-11 {hhmm}"))

        a001 = await kiosk.issue("bdc-transfer")
        await at("09:05")
        a002 = await kiosk.issue("bdc-transfer")
        await at("09:10")
        e001 = await kiosk.issue("biz-change")
        assert (await li_hua.call_next(1)).id == a001.id
        await at("09:12")
        await li_hua.start(a001.id)
        await at("09:22")
        await li_hua.complete(a001.id)
        assert (await li_hua.call_next(1)).id == a002.id
        await at("09:23")
        await li_hua.recall(a002.id)
        await at("09:25")
        await li_hua.no_show(a002.id, "叫号两次未到")
        await at("09:30")
        await zhang_wei.open_tide(8, ["bdc-transfer"], "过户排队")
        a003 = await kiosk.issue("bdc-transfer")
        await at("09:31")
        assert (await wang_fang.call_next(8)).id == a003.id
        await wang_fang.start(a003.id)
        await at("09:41")
        await wang_fang.complete(a003.id)
        assert (await wang_fang.call_next(8)).id == e001.id
        await at("09:42")
        await wang_fang.start(e001.id)
        await at("09:50")
        await wang_fang.complete(e001.id)
        await kiosk.issue("bdc-mortgage")
        await at("17:10")
        asked = await ClosingClient(li_hua).request_extension(1, 20, "两位群众等候")
        await ClosingClient(zhang_wei).approve_extension(asked.id, 15)
        yield tide_hall
    finally:
        for client in people:
            await client.aclose()


def read(hall: RunningHall) -> DayReport:
    engine = make_engine(hall.database_url)
    try:
        with Session(engine) as session:
            return read_day(session, 1, DAY, local("2026-12-11 17:30"))
    finally:
        engine.dispose()


async def test_the_report_per_service_matches_the_day_by_hand(the_day: RunningHall) -> None:
    rows = {r.key: r for r in read(the_day).services}
    assert list(rows) == ["bdc-transfer", "bdc-mortgage", "biz-change", "*"]
    transfer, mortgage, change, whole = (
        rows["bdc-transfer"],
        rows["bdc-mortgage"],
        rows["biz-change"],
        rows["*"],
    )
    assert (transfer.issued, transfer.served, transfer.no_shows, transfer.handoffs) == (3, 2, 1, 0)
    assert (transfer.avg_wait_s, transfer.p90_wait_s) == (560, 1020)  # 10:00, 17:00, 1:00
    assert (transfer.avg_service_s, transfer.p90_service_s) == (600, 600)
    assert transfer.same_day_rate == pytest.approx(2 / 3)
    assert transfer.tide_share == pytest.approx(1 / 2)  # A003 at window 8's tide
    assert (mortgage.issued, mortgage.served, mortgage.avg_wait_s) == (1, 0, None)
    assert (mortgage.same_day_rate, mortgage.tide_share) == (0, None)
    assert (change.served, change.avg_wait_s, change.avg_service_s) == (1, 1860, 480)
    assert change.tide_share == 0  # window 8's own service, not the tide's
    assert (whole.issued, whole.served, whole.no_shows) == (5, 3, 1)
    assert (whole.avg_wait_s, whole.p90_wait_s) == (885, 1860)
    assert (whole.avg_service_s, whole.p90_service_s) == (560, 600)
    assert whole.same_day_rate == pytest.approx(3 / 5)
    assert whole.tide_share == pytest.approx(1 / 3)
    assert whole.extensions_asked is None  # extensions are a window's


async def test_the_report_per_window_and_the_busy_share_spread(the_day: RunningHall) -> None:
    report = read(the_day)
    rows = {r.key: r for r in report.windows}
    assert list(rows) == ["1", "8"]
    one, eight = rows["1"], rows["8"]
    assert (one.issued, one.served, one.no_shows, one.avg_wait_s, one.p90_wait_s) == (
        None,
        1,
        1,
        810,
        1020,
    )
    assert one.same_day_rate == pytest.approx(1 / 2)
    assert (one.extensions_asked, one.extensions_approved, one.extension_minutes) == (1, 1, 15)
    assert (one.overruns, one.tide_share) == (0, 0)
    assert (eight.served, eight.avg_wait_s, eight.p90_wait_s) == (2, 960, 1860)
    assert (eight.avg_service_s, eight.p90_service_s, eight.tide_share) == (540, 600, 0.5)
    # Signed in 09:00-17:30 (30,600 s): window 1 served 600 s, window 8 600 + 480 = 1,080 s.
    assert report.spread.spread == pytest.approx((1080 - 600) / 30600)
    assert report.first_tide_at == local("2026-12-11 09:30")
    assert report.spread_before_tide is not None and report.spread_after_tide is not None
    assert report.spread_before_tide.spread == pytest.approx(1 / 3)  # 600 of 1,800 s vs none
    assert report.spread_after_tide.spread == pytest.approx(1080 / 28800)


async def test_the_csv_opens_in_excel_and_the_table_prints(
    the_day: RunningHall, capsys: pytest.CaptureFixture[str]
) -> None:
    text = report_cli.as_csv(read(the_day))
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert lines[1][:5] == ["service", "bdc-transfer", "不动产转移登记", "3", "2"]
    assert lines[1][7:9] == ["9:20", "17:00"]  # average and p90 wait
    assert (
        main(
            ["--lang", "en", "report", "day", "--date", "2026-12-11", "--db", the_day.database_url]
        )
        == 0
    )
    shown = capsys.readouterr().out
    assert "per service" in shown and "bdc-transfer" in shown and "Tide share" in shown


async def test_a_hand_off_counts_where_it_left(tide_hall: RunningHall) -> None:
    """09:10 李华 calls A001 at window 1 and hands it to 公安户政's 户籍业务: one hand-off for
    不动产转移登记 and for window 1; the case itself now counts at 户籍业务, where it waits."""
    kiosk = await signed_in(tide_hall, "kiosk1")
    li_hua = await signed_in(tide_hall, "1001")
    try:
        await li_hua.sign_in(1)
        a001 = await kiosk.issue("bdc-transfer")
        tide_hall.clock.set(local("2026-12-11 09:10"))
        await li_hua.call_next(1)
        await li_hua.start(a001.id)
        await li_hua.hand_off(a001.id, "户口迁移在先", service="hukou")
    finally:
        await kiosk.aclose()
        await li_hua.aclose()
    report = read(tide_hall)
    services = {r.key: r for r in report.services}
    assert (services["bdc-transfer"].handoffs, services["*"].handoffs) == (1, 1)
    assert (services["bdc-transfer"].issued, services["hukou"].issued) == (0, 1)
    assert {r.key: r.handoffs for r in report.windows} == {"1": 1}
