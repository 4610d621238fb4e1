"""The rating pad's state without a screen (state.rating_pad): which completions it asks about,
the steps of a rating, time-outs, and the ratings waiting to be sent."""

from __future__ import annotations

from datetime import timedelta

from clerkdesk.api import schemas as w
from clerkdesk.api.appointment_schemas import RatingReason
from clerkdesk.state.rating_pad import Phase, RatingPad
from tests.conftest import local

NOW = local("2026-12-11 10:20")


def completed(
    code: str, window: int, at: str = "2026-12-11 10:20", ticket_id: int = 1
) -> w.EventOut:
    ticket = w.TicketOut(
        id=ticket_id,
        code=code,
        service="hukou",
        service_name="户籍业务",
        status=w.TicketStatus.done,
        priority=w.Priority.normal,
        appointment_at=None,
        issued_at=local("2026-12-11 10:00"),
        local_date=NOW.date(),
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
    return w.EventOut(id=ticket_id, kind=w.EventKind.ticket_completed, at=local(at), ticket=ticket)


def test_only_this_windows_fresh_completions_are_asked_about() -> None:
    pad = RatingPad(8)
    assert not pad.on_event(completed("A001", 1), NOW)
    assert not pad.on_event(completed("F001", 8, at="2026-12-11 10:18"), NOW)  # 2 min ago
    called = completed("F002", 8).model_copy(update={"kind": w.EventKind.ticket_called})
    assert not pad.on_event(called, NOW)
    assert pad.phase is Phase.waiting
    assert pad.on_event(completed("F003", 8, at="2026-12-11 10:19:30"), NOW)
    assert pad.phase is Phase.score and pad.case is not None and pad.case.code == "F003"


def test_a_rating_step_by_step_and_each_gets_its_own_key() -> None:
    pad = RatingPad(8)
    pad.on_event(completed("F001", 8, ticket_id=1), NOW)
    assert not pad.pick_score(6, NOW) and pad.phase is Phase.score
    assert pad.pick_score(1, NOW)
    assert pad.reasons()[-1] is RatingReason.other and RatingReason.slow in pad.reasons()
    assert pad.back(NOW) and pad.phase is Phase.score and pad.score is None
    pad.pick_score(2, NOW)
    assert pad.pick_reason(len(pad.reasons()), NOW) is None  # other: their own words first
    assert pad.phase is Phase.comment
    first = pad.write("  窗口少，排队久  ", NOW)
    assert first is not None
    assert (first.score, first.reason, first.comment) == (2, RatingReason.other, "窗口少，排队久")

    pad.on_event(completed("F002", 8, ticket_id=2), NOW)
    pad.pick_score(5, NOW)
    second = pad.no_reason(NOW)
    assert second is not None and (second.score, second.reason) == (5, None)
    assert second.key != first.key
    assert pad.outbox == [first, second]
    pad.taken(second)
    pad.dropped(first)
    assert pad.outbox == [] and pad.rated == 1


def test_an_unanswered_question_and_the_thank_you_time_out() -> None:
    pad = RatingPad(8, ask_s=90, thanks_s=5)
    pad.on_event(completed("F001", 8), NOW)
    assert not pad.tick(NOW + timedelta(seconds=89))
    assert pad.tick(NOW + timedelta(seconds=90))
    assert pad.phase is Phase.waiting and pad.case is None
    pad.on_event(completed("F002", 8), NOW)
    pad.pick_score(4, NOW)
    pad.pick_reason(1, NOW)
    assert pad.phase is Phase.thanks
    assert not pad.tick(NOW + timedelta(seconds=4))
    assert pad.tick(NOW + timedelta(seconds=5)) and pad.phase is Phase.waiting


def test_empty_words_send_the_score_alone() -> None:
    pad = RatingPad(8)
    pad.on_event(completed("F001", 8), NOW)
    pad.pick_score(3, NOW)
    pad.pick_reason(len(pad.reasons()), NOW)
    rating = pad.write("   ", NOW)
    assert rating is not None and (rating.reason, rating.comment) == (None, "")
