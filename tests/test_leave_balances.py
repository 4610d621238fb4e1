"""A department's comp-leave balances for its duty lead (issue 11, item 6): GET /leave/balances
over HTTP against a real hall on 127.0.0.1, each line the same figures as that person's GET
/staff/{staff_no}/leave.

Friday 2026-12-11, 09:00, in the demo hall: 李华 (1001, 不动产登记) worked an evening on Thursday
(105 minutes credited) and two hours on 2025-12-20, whose credit expires on 2026-12-20; 王芳
(1002, 综合受理) worked late on Wednesday, asks for 4 hours on Monday and is rostered for
Saturday's duty; 刘洋 (1004, 综合受理) has nothing yet. 张伟 (2001) is the hall's duty lead; 周敏
(2003) leads 综合受理.
"""

from __future__ import annotations

from datetime import date

import pytest

from clerkdesk.api import errors
from clerkdesk.api import ledger_schemas as lw
from clerkdesk.api.client import HallClient
from clerkdesk.api.ledger import LedgerClient
from tests.conftest import RunningHall, signed_in
from tests.test_leave_day import add_lead, credit_by_claim, ledger_of


async def a_week_of_overtime(hall: RunningHall, zhang_wei: HallClient) -> None:
    lead = LedgerClient(zhang_wei)
    li_hua, wang_fang = await ledger_of(hall, "1001"), await ledger_of(hall, "1002")
    await credit_by_claim(hall, li_hua, lead, "2025-12-20 18:00", "2025-12-20 20:00")
    await credit_by_claim(hall, li_hua, lead, "2026-12-10 18:00", "2026-12-10 19:50")
    await credit_by_claim(hall, wang_fang, lead, "2026-12-09 18:00", "2026-12-09 22:30")
    await wang_fang.request_leave(date(2026, 12, 14), hours=4, reason="孩子家长会")
    await lead.assign_duty("1002", date(2026, 12, 12))
    for clerk in (li_hua, wang_fang):
        await clerk.client.aclose()


def line_of(answer: lw.LeaveBalancesOut, staff_no: str) -> lw.StaffBalanceOut:
    return next(line for line in answer.staff if line.staff.staff_no == staff_no)


async def test_the_hall_lead_sees_everyones_balance_as_each_persons_own_leave_says(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    await a_week_of_overtime(hall, zhang_wei)
    lead = LedgerClient(zhang_wei)

    answer = await lead.balances()

    assert answer.department is None  # 张伟 leads the whole hall
    assert (answer.minutes_per_day, answer.expiring_days) == (480, 30)
    listed = [(x.staff.department, x.staff.staff_no, x.staff.name) for x in answer.staff]
    assert listed == [  # by department, then staff number; no kiosk, no admin without leave
        ("budongchan", "1001", "李华"),
        ("shichang", "1003", "陈明"),
        ("zonghe", "1002", "王芳"),
        ("zonghe", "1004", "刘洋"),
        (None, "2001", "张伟"),
    ]
    li_hua, wang_fang = line_of(answer, "1001"), line_of(answer, "1002")
    assert (li_hua.balance_minutes, li_hua.expiring_minutes, li_hua.next_expiry) == (
        120 + 105,
        120,
        date(2026, 12, 20),
    )
    assert (wang_fang.balance_minutes, wang_fang.pending_minutes, wang_fang.coming_duties) == (
        270,
        240,
        1,
    )
    assert line_of(answer, "1004").balance_minutes == 0

    for line in answer.staff:  # the same figures as each person's own leave, to the minute
        own = await lead.staff_leave(line.staff.staff_no)
        assert (
            line.balance_minutes,
            line.balance_days,
            line.pending_minutes,
            line.expiring_minutes,
            line.coming_duties,
        ) == (
            own.balance_minutes,
            own.balance_days,
            own.pending_minutes,
            sum(credit.remaining for credit in own.expiring_soon),
            len(own.duties),
        ), line.staff.staff_no


async def test_a_department_lead_sees_her_department_only(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    await a_week_of_overtime(hall, zhang_wei)
    add_lead(hall, "2003", "周敏", department="1002")  # 综合受理's duty lead
    zhou_min = LedgerClient(await signed_in(hall, "2003"))
    try:
        mine = await zhou_min.balances()
        assert mine.department == "zonghe"
        assert [x.staff.staff_no for x in mine.staff] == ["1002", "1004", "2003"]
        assert (await zhou_min.balances("zonghe")).staff == mine.staff

        with pytest.raises(errors.NotFound) as other:
            await zhou_min.balances("budongchan")  # 李华's department: not hers to see
        assert other.value.code == "department_not_found"

        hall_wide = await LedgerClient(zhang_wei).balances("zonghe")
        assert [x.staff.staff_no for x in hall_wide.staff] == ["1002", "1004", "2003"]
        assert hall_wide.staff[0].balance_minutes == 270
    finally:
        await zhou_min.client.aclose()


async def test_a_clerk_and_the_kiosk_are_refused_and_an_unknown_department_is_not_found(
    hall: RunningHall, zhang_wei: HallClient, kiosk: HallClient
) -> None:
    li_hua = await signed_in(hall, "1001")
    try:
        for caller in (li_hua, kiosk):
            with pytest.raises(errors.Forbidden) as refused:
                await LedgerClient(caller).balances()
            assert refused.value.code == "role_required"
        with pytest.raises(errors.NotFound) as unknown:
            await LedgerClient(zhang_wei).balances("nosuch")
        assert unknown.value.code == "department_not_found"
    finally:
        await li_hua.aclose()


@pytest.mark.postgres
async def test_on_postgresql_the_lines_agree_too(pg_hall: RunningHall) -> None:
    zhang_wei = await signed_in(pg_hall, "2001")
    try:
        await a_week_of_overtime(pg_hall, zhang_wei)
        answer = await LedgerClient(zhang_wei).balances()
        li_hua = line_of(answer, "1001")
        assert (li_hua.balance_minutes, li_hua.expiring_minutes) == (225, 120)
        assert line_of(answer, "1002").coming_duties == 1
    finally:
        await zhang_wei.aclose()
