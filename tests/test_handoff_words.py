"""The hand-off's words at the counter, without a screen: the hall's refusals of a hand-off and
where the citizen goes, in English and Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from clerkdesk.api import schemas as w
from clerkdesk.api.errors import Conflict
from clerkdesk.i18n import set_language
from clerkdesk.state.handoff import Names, explain_handoff, go_to_text
from clerkdesk.state.refusals import explain

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def zh() -> Iterator[None]:
    set_language("zh")
    yield
    set_language("en")


def closed(next_opening: str | None) -> Conflict:
    return Conflict(
        409,
        "handoff_service_closed",
        "发票领用 is closed now …",
        {"service": "tax-invoice", "next_opening": next_opening, "arrival_minutes": 10},
    )


def test_a_closed_service_names_its_next_opening_in_the_halls_zone_to_the_minute() -> None:
    """The hall answers in its own zone; a workstation abroad still reads hall time."""
    utc = closed("2026-12-12T01:00:00+00:00")  # Saturday 09:00 in Shanghai
    assert explain_handoff(utc, SHANGHAI) == (
        "That service is closed now and opens again 12-12 09:00: hand the case to an open one, "
        "or tell the citizen when to come back."
    )
    assert explain_handoff(closed(None), SHANGHAI) == (
        "That service is closed now: hand the case to an open one."
    )


def test_the_refusals_read_in_chinese(zh: None) -> None:
    assert explain_handoff(closed("2026-12-14T09:00:00+08:00"), SHANGHAI) == (
        "该事项暂停受理，12-14 09:00 起受理：请转至正在受理的事项，或告知群众何时再来。"
    )
    own = Conflict(409, "handoff_to_own_window", "…", {"ticket": "D001", "window": 3})
    assert explain_handoff(own, SHANGHAI) == "D001 已在 3 号窗口：请选择其他去向。"
    elsewhere = Conflict(409, "handed_to_other_window", "…", {"ticket": "D001"})
    assert explain(elsewhere, SHANGHAI) == "D001 已转给其他窗口或工作人员：请由对方办理。"


def test_other_refusals_keep_the_usual_words() -> None:
    assert explain_handoff(Conflict(409, "queue_empty", "…"), SHANGHAI) is None


def _move(go_to_window: int | None) -> w.HandOffOut:
    at = datetime(2026, 12, 11, 9, 20, tzinfo=SHANGHAI)
    return w.HandOffOut(
        id=1,
        ticket_id=7,
        ticket="C023",
        seq=1,
        kind=w.HandOffKind.hand_off,
        state=w.HandOffState.open,
        at=at,
        from_window=8,
        from_staff="1002",
        from_staff_name="王芳",
        from_department="zonghe",
        from_service="hukou",
        to_service="tax-invoice",
        to_department="shuiwu",
        to_window=None,
        to_staff=None,
        to_staff_name=None,
        go_to_window=go_to_window,
        note="…",
        called_at=None,
        ended_at=None,
        end_reason=None,
        back_asked_at=None,
        waited_seconds=0,
        flagged=False,
    )


def test_the_message_says_where_the_citizen_goes(zh: None) -> None:
    assert go_to_text(_move(12)) == "请 C023 号到 12 号窗口"
    names = Names(services={"tax-invoice": "发票领用"})
    assert go_to_text(_move(None), names) == "C023 已转至发票领用：请群众等候该事项窗口叫号"
