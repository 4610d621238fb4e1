"""The workstation's logic without Textual: counter state, offered actions, refusals, formats."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rich.cells import cell_len

from clerkdesk.api import schemas as w
from clerkdesk.api.errors import (
    Conflict,
    HallUnreachable,
    InvalidInput,
    NotFound,
    TooSoon,
    Unauthorized,
)
from clerkdesk.i18n import set_language
from clerkdesk.screens.start.window_picker import my_windows
from clerkdesk.state.actions import COUNTER_ACTIONS, actions_for, applies
from clerkdesk.state.counter import CounterModel
from clerkdesk.state.day_summary import summary_line, summary_lines, summary_title
from clerkdesk.state.display import duration
from clerkdesk.state.first_run import FirstRunAnswers, problems
from clerkdesk.state.no_shows import (
    NoShowWait,
    explain_no_show,
    explain_reinstate,
    no_show_reason,
    no_show_row,
    no_show_wait,
    not_yet_text,
    reinstatable,
)
from clerkdesk.state.refusals import explain
from clerkdesk.widgets.ticket_number import GLYPHS, block_lines
from tests.conftest import local

NINE = local("2026-12-11 09:00")
SHANGHAI = ZoneInfo("Asia/Shanghai")
STAFF = w.StaffOut(id=2, staff_no="1002", name="王芳", department="zonghe", roles=[w.Role.clerk])


def _window(
    number: int = 8, holder: w.StaffOut | None = STAFF, paused: bool = False
) -> w.WindowOut:
    session = (
        w.WindowSessionOut(id=1, window=number, staff=holder, started_at=NINE, paused=paused)
        if holder
        else None
    )
    return w.WindowOut(
        number=number,
        label=f"综合受理 {number}号窗口",
        department="zonghe",
        services=["hukou", "bdc-query"],
        holder=session,
    )


def _ticket(
    ticket_id: int, service: str = "hukou", status: str = "waiting", window: int | None = None
) -> w.TicketOut:
    return w.TicketOut(
        id=ticket_id,
        code=f"F{ticket_id:03d}",
        service=service,
        service_name="户籍业务",
        status=w.TicketStatus(status),
        priority=w.Priority.normal,
        appointment_at=None,
        issued_at=NINE,
        local_date=NINE.date(),
        window=window,
        called_at=None,
        called_by=None,
        recall_count=0,
        started_at=None,
        finished_at=None,
        outcome=None,
        reason=None,
        notes="",
        estimated_minutes=10,
    )


def _state(queue: list[w.TicketOut], last_event_id: int = 10) -> w.CounterState:
    return w.CounterState(
        window=_window(),
        current=None,
        queue=queue,
        counts=w.DayCounts(served=0, no_shows=0, average_service_seconds=None),
        last_event_id=last_event_id,
    )


def _event(
    event_id: int, ticket: w.TicketOut | None = None, window: w.WindowOut | None = None
) -> w.EventOut:
    kind = w.EventKind.ticket_issued if ticket else w.EventKind.window_paused
    return w.EventOut(id=event_id, kind=kind, at=NINE, ticket=ticket, window=window)


def test_a_read_begun_before_the_answer_to_a_call_is_dropped() -> None:
    model = CounterModel(8, "1002")
    assert model.load(_state([_ticket(1), _ticket(2)]), stamp=model.answers)
    stamp = model.answers  # a read starts here …
    model.apply_ticket(_ticket(1, status="called", window=8))  # … the call's answer arrives
    assert not model.load(_state([_ticket(1), _ticket(2)]), stamp)  # the old read is stale
    assert model.current is not None and model.current.id == 1
    assert [t.id for t in model.queue] == [2]


def test_only_events_about_this_window_or_its_services_ask_for_a_new_read() -> None:
    model = CounterModel(8, "1002")
    model.load(_state([]), stamp=0)
    assert model.touches(_event(11, _ticket(5, "hukou")))
    assert not model.touches(_event(12, _ticket(6, "bdc-transfer")))
    assert not model.touches(_event(9, _ticket(7, "hukou")))  # already in the last read
    assert model.touches(_event(13, window=_window(8)))
    assert not model.touches(_event(14, window=_window(9)))
    assert model.touches(w.EventOut(id=3, kind=w.EventKind.reset, at=NINE))


def test_the_footer_offers_what_fits_the_ticket_at_hand() -> None:
    def offered(status: w.TicketStatus | None, paused: bool = False, held: bool = True) -> set[str]:
        return {a.name for a in COUNTER_ACTIONS if applies(a.name, status, paused, held)}

    anytime = {"reinstate", "issue_ticket"}  # issuing: for leads and admins (actions_for)
    # back to me: also one of my cases must be away; send back and the chain: the ticket at
    # hand must have been handed over (the counter's CounterHandOffs.offers)
    anytime |= {"back_to_me"}
    in_hand = {"hand_off", "send_back", "show_chain"}
    assert offered(None) == {"call_next", "call_ticket", "pause", "leave"} | anytime
    assert offered(w.TicketStatus.called) == {"recall", "start", "no_show", "park"} | (
        anytime | in_hand
    )
    assert offered(w.TicketStatus.serving) == {"complete", "complete_as", "park"} | (
        anytime | in_hand
    )
    assert offered(None, paused=True) == {"resume", "leave"} | anytime
    assert offered(None, held=False) == {"leave"}
    keys = [k for a in COUNTER_ACTIONS if a.name != "resume" for k in (a.fkey, a.letter)]
    assert len(keys) == len(set(keys)), "two actions on one key"


def test_only_leads_and_admins_are_offered_to_issue_tickets() -> None:
    def issues(*roles: w.Role) -> bool:
        return "issue_ticket" in {a.name for a in actions_for(list(roles))}

    assert issues(w.Role.lead) and issues(w.Role.admin, w.Role.clerk)
    assert not issues(w.Role.clerk)
    assert len(actions_for([w.Role.clerk])) == len(COUNTER_ACTIONS) - 1
    for status in (None, w.TicketStatus.called, w.TicketStatus.serving):
        assert applies("issue_ticket", status, False, True)
    assert not applies("issue_ticket", None, False, False)  # not at the window


def _called(recalls: int, at: datetime = NINE) -> w.TicketOut:
    ticket = _ticket(1, status="called", window=8)
    update = {"called_at": at, "recall_count": recalls, "times_called": recalls + 1}
    return ticket.model_copy(update=update)


def test_a_no_show_waits_for_the_halls_recalls_and_seconds_and_states_the_facts() -> None:
    """The demo hall's policy: a recall and 60 s since the first call."""
    policy = w.CounterPolicyOut()
    at = timedelta
    assert no_show_wait(policy, _called(0), NINE + at(seconds=20)) == NoShowWait(1, 40)
    assert no_show_wait(policy, _called(1), NINE + at(seconds=59.2)) == NoShowWait(0, 1)
    assert no_show_wait(policy, _called(0), NINE + at(seconds=90)) == NoShowWait(1, 0)
    assert no_show_wait(policy, _called(1), NINE + at(seconds=60)) is None
    strict = w.CounterPolicyOut(no_show_min_recalls=3, no_show_min_seconds=120)
    assert no_show_wait(strict, _called(1), NINE + at(seconds=60)) == NoShowWait(2, 60)
    assert not_yet_text("F001", NoShowWait(2, 60)) == (
        "Not yet: recall F001 2 more times and wait 1 min before a no-show."
    )
    assert no_show_reason(_called(1), NINE + at(minutes=1, seconds=10)) == (
        "Called 2×, first called 1 min 10 s ago"
    )


def test_the_halls_no_show_too_soon_reads_as_the_keys_own_answer() -> None:
    """The workstation's clock may run a little ahead of the hall's: the hall's 409 then says
    what is missing in the same words the key would have used."""
    refused = Conflict(
        409,
        "no_show_too_soon",
        "…",
        {"ticket": "K001", "times_called": 2, "recalls_needed": 0, "seconds_left": 5},
    )
    assert explain_no_show(refused, SHANGHAI) == (
        "Not yet: wait 5 s more before marking K001 a no-show."
    )
    assert explain_no_show(Conflict(409, "queue_empty", "…"), SHANGHAI) is None


def test_the_reinstate_dialog_offers_the_no_shows_still_in_the_halls_window() -> None:
    policy = w.CounterPolicyOut(reinstate_minutes=30)
    marked = [
        _ticket(i, status="no_show", window=8).model_copy(update={"finished_at": NINE + m})
        for i, m in ((3, timedelta(minutes=20)), (2, timedelta(minutes=5)), (1, timedelta(0)))
    ]
    now = NINE + timedelta(minutes=30)
    assert [t.code for t in reinstatable(marked, policy, now)] == ["F003", "F002"]
    assert no_show_row(marked[1], policy, SHANGHAI) == (
        "F002  户籍业务  no-show at 09:05, until 09:35"
    )


def test_a_no_show_marked_here_is_offered_to_reinstate_at_once_and_gone_once_back() -> None:
    model = CounterModel(8, "1002")
    model.load(_state([]), 0)
    gone = _ticket(1, status="no_show", window=8).model_copy(update={"finished_at": NINE})
    model.apply_ticket(gone)
    assert [t.id for t in model.no_shows] == [1]
    model.apply_ticket(_ticket(1))  # reinstated: waiting again
    assert model.no_shows == []


LONG_CLOSING = w.WindowClosingOut(
    id=1,
    window=12,
    staff=STAFF,
    local_date=NINE.date(),
    started_at=NINE,
    scheduled_end=local("2026-12-11 17:30"),
    window_end=local("2026-12-11 18:35"),
    actual_end=local("2026-12-11 19:40"),
    extension_minutes=65,
    overrun=w.OverrunOut(
        id=1,
        window=12,
        staff=STAFF,
        local_date=NINE.date(),
        window_end=local("2026-12-11 18:35"),
        actual_end=local("2026-12-11 19:40"),
        minutes=65,
        status=w.OverrunStatus.pending,
        recorded_at=local("2026-12-11 19:40"),
        decided_at=None,
        decided_by=None,
        decision_reason=None,
    ),
    end_of_day_rule=w.EndOfDayRule.carry_over,
    leftover_tickets=["A1001", "A1002", "A1003", "A1004", "A1005"],
)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_counters_no_show_reinstate_and_closing_lines_fit_80_columns(lang: str) -> None:
    """What the message line says (78 cells at 80 columns), each line of the day's summary
    (two of the dialog's 58 at most) and its one-line form on the window picker (two lines),
    with long values, in either language."""
    refusals = [
        ("illegal_transition", {"current": "carried_over"}),
        ("reinstate_too_late", {"marked_at": "2026-12-11T01:01:00+00:00", "minutes": 1440}),
        ("ticket_not_found", {}),
    ]
    counts = w.DayCounts(served=999, no_shows=99, average_service_seconds=600)
    set_language(lang)
    try:
        lines = [not_yet_text("A1023", NoShowWait(10, 3599))]
        lines += [
            not_yet_text("A1023", NoShowWait(10, 0)),
            not_yet_text("A1023", NoShowWait(0, 59)),
        ]
        lines += [no_show_reason(_called(9), NINE + timedelta(minutes=59, seconds=59))]
        lines += [
            explain_reinstate("A1023")(Conflict(409, code, "…", params), SHANGHAI) or ""
            for code, params in refusals
        ]
        for line in lines:
            assert cell_len(line) <= 78, line
        summary = summary_lines(LONG_CLOSING, counts, SHANGHAI)
        summary += [summary_title(LONG_CLOSING, SHANGHAI)]
        assert len(summary) == 5  # counts, extension, overrun, the end-of-day rule; the title
        for line in summary:
            assert cell_len(line) <= 2 * 58, line  # two lines of the dialog at most
        assert cell_len(summary_line(LONG_CLOSING, counts, SHANGHAI)) <= 2 * 78  # the picker's
    finally:
        set_language("en")


@pytest.mark.parametrize(
    ("error", "english", "chinese"),
    [
        (TooSoon(429, "too_soon", "…", {"retry_after_s": 2}), "wait 2 seconds", "请等待 2 秒"),
        (Conflict(409, "queue_empty", "…"), "Nobody is waiting", "暂无等候群众"),
        (
            Conflict(409, "ticket_in_hand", "…", {"ticket": "A023"}),
            "A023 is still at your counter",
            "A023 号仍在",
        ),
        (
            Conflict(
                409,
                "window_held",
                "…",
                {"window": 5, "holder": "李华", "since": "2026-12-11T00:58:00+00:00"},
            ),
            "held by 李华 since 08:58",
            "由李华自 08:58 起使用",
        ),
        (Conflict(409, "illegal_transition", "…", {"current": "done"}), "is done now", "已办结"),
        (
            InvalidInput(422, "reason_required", "…", {"ticket": "F002", "next": "F001"}),
            "(F001 is)",
            "下一位是 F001",
        ),
        (Unauthorized(401, "locked_out", "…", {"minutes_left": 1}), "in 1 min,", "请 1 分钟后重试"),
        (
            Unauthorized(401, "locked_out", "…", {"retry_after_s": 900}),
            "try again in 15 min, or ask an admin",
            "请 15 分钟后重试",
        ),
        (
            Unauthorized(401, "sign_in_delayed", "…", {"retry_after_s": 90}),
            "wait 1 min 30 s before the next try",
            "请等待 1 分 30 秒后再试",
        ),
        (
            TooSoon(
                429,
                "too_many_tries",
                "…",
                {"retry_after_s": 840, "retry_after_min": 14, "tries_left": 0},
            ),
            "try again in 14 min, or ask an admin",
            "请 14 分钟后重试",
        ),
        (
            Unauthorized(
                401,
                "bad_credentials",
                "…",
                {"tries_left": 0, "retry_after_s": 900, "retry_after_min": 15},
            ),
            "try again in 15 min, or ask an admin",
            "请 15 分钟后重试",
        ),
        (Unauthorized(401, "bad_credentials", "…"), "password is wrong", "工号或密码错误"),
        (
            Unauthorized(401, "bad_credentials", "…", {"tries_left": 2}),
            "password is wrong: 2 tries left",
            "还可尝试 2 次",
        ),
        (
            Unauthorized(401, "bad_credentials", "…", {"tries_left": 0}),
            "one more and sign-in must wait",
            "再错一次须等待",
        ),
        (
            Conflict(
                409,
                "citizens_still_waiting",
                "…",
                {"window": 8, "tickets": ["E001", "F001", "M001", "M002"]},
            ),
            "4 citizens still wait (E001, F001…): serve them first",
            "还有 4 位群众在等候（E001, F001…）",
        ),
        (
            Conflict(409, "ticket_code_ambiguous", "…", {"ticket": "A001", "ids": [7, 31]}),
            "call one of them by its id, 7, 31.",
            "（7, 31）",
        ),
        (NotFound(404, "window_not_found", "…", {"key": "8"}), "Window 8 is no longer", "8 号窗口"),
        (
            Conflict(409, "some_new_code", "The server's own words."),
            "The server's own words.",
            "The server's own words.",
        ),
        (HallUnreachable("refused"), "Cannot reach the hall service", "无法连接大厅服务"),
    ],
)
def test_refusals_are_translated_by_their_code(
    error: Exception, english: str, chinese: str
) -> None:
    assert english in explain(error, SHANGHAI)  # type: ignore[arg-type]
    set_language("zh")
    try:
        assert chinese in explain(error, SHANGHAI)  # type: ignore[arg-type]
    finally:
        set_language("en")


LONGEST = {
    "retry_after_s": 3599,
    "tries_left": 4,
    "minutes_left": 15,
    "ticket": "A1023",
    "next": "A1022",
    "key": "A1023",
    "window": 12,
    "holder": "欧阳娜娜",
    "since": "2026-12-11T00:58:00+00:00",
    "current": "carried_over",
    "tickets": ["A1001", "A1002", "A1003", "A1004"],
    "ids": [123456, 123499],
    "state": "approved",
    "status": "approved",
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_refusal_fits_the_counters_message_line_at_80_columns(lang: str) -> None:
    """The counter says a refusal on one line (78 cells at 80 columns, no wrapping): what
    happened and what to do must both be on it, in either language, with long values."""
    from clerkdesk.state import refusals

    set_language(lang)
    try:
        for table in (refusals._EXPLAIN, refusals._EXPLAIN_DECISION):
            for code, explain_code in table.items():
                text = explain_code(LONGEST, SHANGHAI)
                assert cell_len(text) <= 78, (code, text)
    finally:
        set_language("en")


def test_every_ticket_prefix_letter_and_digit_has_a_block_glyph() -> None:
    assert set(GLYPHS) == set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    assert all(len(row) == 3 for glyph in GLYPHS.values() for row in glyph)
    assert block_lines("A023") is not None and len(block_lines("A023")[0]) == 15  # type: ignore[index]
    assert block_lines("A-1") is None


def test_durations_read_as_durations_never_as_clock_times() -> None:
    """18 min 26 s left at the counter was "18:26 left", read as a time of day."""
    spans = [
        timedelta(minutes=18, seconds=26),
        timedelta(minutes=15),
        timedelta(seconds=7),
        timedelta(hours=1, minutes=5, seconds=40),
        timedelta(hours=2),
        timedelta(minutes=3, seconds=5),
        timedelta(seconds=-3),
    ]
    english = ["18 min 26 s", "15 min", "7 s", "1 h 05 min", "2 h", "3 min 05 s", "0 s"]
    assert [duration(x) for x in spans] == english
    set_language("zh")
    try:
        chinese = ["18 分 26 秒", "15 分钟", "7 秒", "1 小时 05 分", "2 小时", "3 分 05 秒", "0 秒"]
        assert [duration(x) for x in spans] == chinese
    finally:
        set_language("en")


def test_the_picker_shows_my_departments_windows() -> None:
    windows = [_window(8), _window(9), _window(1).model_copy(update={"department": "budongchan"})]
    assert [x.number for x in my_windows(windows, "zonghe")] == [8, 9]
    assert [x.number for x in my_windows(windows, None)] == [8, 9, 1]


def test_the_first_start_answers_are_checked_before_anything_is_written() -> None:
    good = FirstRunAnswers(
        "政务服务中心", "admin", "赵丽", "s3cret", "综合受理", 1, "综合业务", "A"
    )
    assert problems(good, "s3cret") == []
    bad = FirstRunAnswers("", "ad min", "", "abc", "综合受理", 0, "综合业务", "a1")
    assert len(problems(bad, "abc")) == 6


async def test_the_queue_table_keeps_the_servers_order_through_every_kind_of_change() -> None:
    from textual.app import App, ComposeResult

    from clerkdesk.widgets.queue_table import QueueTable

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield QueueTable(id="queue")

    def shown(table: QueueTable) -> list[tuple[str, str]]:
        return [
            (str(r[0]), str(r[1])) for r in (table.get_row_at(i) for i in range(table.row_count))
        ]

    t = [_ticket(i) for i in range(1, 6)]
    async with One().run_test() as pilot:
        table = pilot.app.query_one(QueueTable)
        for queue in (
            t[:3],  # first tickets
            t[1:3],  # the first called away
            t[1:5],  # two more arrive at the end
            [t[4], t[1], t[2], t[3]],  # a green-channel ticket jumps ahead: rebuilt
            [t[4], t[2], t[3]],  # one in the middle parked elsewhere
            [],
        ):
            table.show(queue, NINE + timedelta(minutes=5))
            await pilot.pause()
            assert shown(table) == [(str(i), x.code) for i, x in enumerate(queue, 1)]


def test_textuals_own_key_help_is_in_the_workstations_language() -> None:
    """The palette's "Keys" panel lists a table's cursor keys with Textual's descriptions;
    in Chinese they are Chinese too."""
    from clerkdesk.widgets.queue_table import QueueTable

    set_language("zh")
    try:
        table = QueueTable()
    finally:
        set_language("en")
    described = {
        key: [b.description for b in bindings]
        for key, bindings in table._bindings.key_to_bindings.items()
    }
    assert "光标上移" in described["up"] and "选择" in described["enter"]
    assert all(d.isascii() is False for key in ("up", "down", "enter") for d in described[key])
