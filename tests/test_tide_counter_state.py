"""王芳's counter at window 8 (综合受理) while 张伟 has made it a tide window for 不动产转移登记:
new tickets for the tide's service make it read its queue again, as its own services do."""

from __future__ import annotations

from clerkdesk.api import schemas as w
from clerkdesk.state.counter import CounterModel
from tests.conftest import local
from tests.test_tui_state import _event, _state, _ticket

NINE = local("2026-12-11 09:00")
TIDE = w.TideOut(
    id=1,
    window=8,
    services=["bdc-transfer"],
    started_at=NINE,
    until=None,
    ended_at=None,
    end_reason=None,
    started_by="2001",
    ended_by=None,
    reason="过户排队",
    clerk=None,
    reserve=False,
)


def test_the_tide_services_tickets_reach_the_tide_windows_counter() -> None:
    model = CounterModel(8, "1002")
    state = _state([])
    model.load(state, stamp=0)
    assert not model.touches(_event(11, _ticket(5, "bdc-transfer")))  # not its service yet
    assert state.window is not None
    tided = state.model_copy(update={"window": state.window.model_copy(update={"tide": TIDE})})
    model.load(tided, stamp=model.answers)
    assert model.touches(_event(12, _ticket(6, "bdc-transfer")))
    assert model.touches(_event(13, _ticket(7, "hukou")))  # its own, as before


def test_a_tide_ending_on_another_window_reads_the_queue_again_where_its_services_are_own() -> None:
    """Window 20's tide on 户籍 ends: citizens handed to window 20 for it wait at window 8 again."""
    model = CounterModel(8, "1002")
    model.load(_state([]), stamp=0)
    assert model.window is not None and "hukou" in model.window.services
    ended = TIDE.model_copy(
        update={"window": 20, "services": ["hukou"], "ended_at": NINE, "end_reason": "revoked"}
    )
    elsewhere = model.window.model_copy(update={"number": 20, "services": ["bdc-query"]})
    event = w.EventOut(id=11, kind=w.EventKind.tide_ended, at=NINE, window=elsewhere, tide=ended)
    assert model.touches(event)
    other = ended.model_copy(update={"services": ["bdc-transfer"]})
    assert not model.touches(event.model_copy(update={"id": 12, "tide": other}))
