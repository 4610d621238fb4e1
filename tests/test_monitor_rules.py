"""The duty lead's hall as pure rules: busy share and its spread, a new arrival's wait, the
congestion alert's hysteresis, the windows that could help, a tide window's calling order."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from clerkdesk.hall.rules import monitor as rules
from clerkdesk.hall.rules import queue_order
from clerkdesk.hall.rules.tide import in_force, services_with_tide
from tests.conftest import local

NINE = local("2026-12-11 09:00")
MIDNIGHT = local("2026-12-11 00:00")


def at(hhmm: str) -> datetime:
    return local(f"2026-12-11 {hhmm}")


def test_li_huas_busy_share_is_her_serving_time_over_her_signed_in_time() -> None:
    """Signed in 09:00-10:00 and again from 10:30; at 11:00 she has served 09:10-09:40 and
    10:30-10:45 and is serving since 10:50: 30 + 15 + 10 = 55 of 90 minutes."""
    signed_in = [(at("09:00"), at("10:00")), (at("10:30"), None)]
    serving = [(at("09:10"), at("09:40")), (at("10:30"), at("10:45")), (at("10:50"), None)]
    share = rules.busy_share(serving, signed_in, MIDNIGHT, at("11:00"))
    assert share == pytest.approx(55 / 90)


def test_a_window_nobody_signed_in_at_has_no_busy_share_and_is_left_out_of_the_spread() -> None:
    assert rules.busy_share([], [], MIDNIGHT, NINE) is None
    spread = rules.spread([0.9, None, 0.5, 0.4])
    assert spread.windows == 3
    assert spread.spread == pytest.approx(0.5)
    mean = (0.9 + 0.5 + 0.4) / 3
    std = math.sqrt(((0.9 - mean) ** 2 + (0.5 - mean) ** 2 + (0.4 - mean) ** 2) / 3)
    assert spread.std_dev == pytest.approx(std)
    assert rules.spread([None]).spread is None


def test_a_new_arrival_waits_for_the_cases_ahead_shared_over_the_open_windows() -> None:
    assert rules.estimated_wait_s(6, 2, 600.0) == 1800  # six ahead, two windows, 10 min each
    assert rules.estimated_wait_s(0, 0, 600.0) == 0
    assert rules.estimated_wait_s(3, 0, 600.0) is None  # no window open for it
    assert rules.per_case_seconds([], 12) == 720.0  # nobody served yet: the service's estimate
    assert rules.per_case_seconds([300.0, 500.0], 12) == 400.0


def test_the_congestion_alert_does_not_flap_around_its_threshold() -> None:
    """不动产转移登记, alert at 5 waiting, cleared below 80 % (4): 09:00-09:40 the queue goes
    3, 5, 4, 5, 4, 3: on at 5, still on at 4 and 5, off only at 3."""
    thresholds = rules.Thresholds(waiting=5, clear_percent=80)
    on = False
    seen = []
    for waiting in [3, 5, 4, 5, 4, 3, 4]:
        on = rules.alert_on(on, rules.Load(waiting, 60, 600), thresholds)
        seen.append(on)
    assert seen == [False, True, True, True, True, False, False]


def test_any_watched_measure_raises_and_every_one_must_fall_to_clear() -> None:
    thresholds = rules.Thresholds(waiting=10, longest_wait_s=1200, estimated_wait_s=1800)
    assert rules.alert_on(False, rules.Load(2, 1200, 300), thresholds)  # waited 20 minutes
    assert rules.alert_on(True, rules.Load(2, 1000, 300), thresholds)  # 1000 s ≥ 80 % of 1200
    assert not rules.alert_on(True, rules.Load(2, 900, 300), thresholds)
    assert rules.alert_on(False, rules.Load(1, 0, None), thresholds)  # nobody open for them
    assert not rules.alert_on(False, rules.Load(99, 9999, None), rules.Thresholds())


def test_the_windows_that_could_take_the_load_idle_first_then_quiet_then_reserve() -> None:
    transfer, query, license_, pension = 1, 2, 3, 4
    windows = [
        rules.WindowLoad(1, rules.WindowState.serving, frozenset({transfer})),  # serves it
        rules.WindowLoad(3, rules.WindowState.serving, frozenset({license_})),  # quiet
        rules.WindowLoad(6, rules.WindowState.serving, frozenset({pension})),  # busy queue
        rules.WindowLoad(8, rules.WindowState.idle, frozenset({query})),  # idle
        rules.WindowLoad(9, rules.WindowState.paused, frozenset({query})),  # on a break
        rules.WindowLoad(20, rules.WindowState.closed, frozenset({query}), reserve=True),
        rules.WindowLoad(21, rules.WindowState.closed, frozenset({query})),  # closed, no reserve
        rules.WindowLoad(22, rules.WindowState.idle, frozenset({query}), tide=True),  # taken
    ]
    waiting = {transfer: 9, license_: 1, pension: 6}
    assert rules.candidates(transfer, windows, waiting) == [8, 3, 20]


def test_among_idle_windows_the_least_busy_today_comes_first() -> None:
    """Windows 10 and 12 are idle; 10 was busy 70 % of the day so far, 12 only 20 %."""
    windows = [
        rules.WindowLoad(10, rules.WindowState.idle, frozenset({2}), busy_share=0.7),
        rules.WindowLoad(12, rules.WindowState.idle, frozenset({2}), busy_share=0.2),
        rules.WindowLoad(11, rules.WindowState.idle, frozenset({2})),  # nobody yet: 0
    ]
    assert rules.candidates(1, windows, {1: 9}) == [11, 12, 10]


def test_a_window_is_closed_paused_idle_calling_or_serving() -> None:
    assert rules.window_state(False, False, None) is rules.WindowState.closed
    assert rules.window_state(True, True, None) is rules.WindowState.paused
    assert rules.window_state(True, False, None) is rules.WindowState.idle
    assert rules.window_state(True, True, "called") is rules.WindowState.calling
    assert rules.window_state(True, False, "serving") is rules.WindowState.serving


def test_a_tide_puts_its_services_first_in_the_windows_order() -> None:
    own = [10, 11, 12]
    assert services_with_tide(own, [30]) == [30, 10, 11, 12]
    assert services_with_tide(own, [12, 30]) == [12, 30, 10, 11]  # one it served moves up
    tickets = [
        queue_order.Waiting(1, 10, "normal", NINE),
        queue_order.Waiting(2, 30, "normal", NINE + timedelta(minutes=5)),
        queue_order.Waiting(3, 30, "green_channel", NINE + timedelta(minutes=9)),
    ]
    order = queue_order.order_for_window(tickets, services_with_tide(own, [30]), NINE)
    assert [t.ticket_id for t in order] == [3, 2, 1]  # priority class still comes first


def test_a_tide_counts_from_its_start_until_its_time_or_its_end() -> None:
    assert in_force(NINE, at("10:00"), None, at("09:59"))
    assert not in_force(NINE, at("10:00"), None, at("10:00"))
    assert in_force(NINE, None, None, at("17:00"))
    assert not in_force(NINE, None, at("09:30"), at("09:31"))
