"""The closing rules at the counter: how long the waiting citizens need, from recent cases."""

from __future__ import annotations

import statistics

from hypothesis import given
from hypothesis import strategies as st

from clerkdesk.hall.rules.closing import MIN_SAMPLES, service_minutes

durations = st.lists(st.floats(min_value=1, max_value=4 * 3600), min_size=MIN_SAMPLES, max_size=40)


def test_three_recent_cases_of_18_16_and_20_minutes_need_18_minutes_each() -> None:
    assert service_minutes([18 * 60, 16 * 60, 20 * 60], estimated_minutes=25) == 18


def test_with_fewer_than_three_cases_the_services_own_estimate_is_used() -> None:
    assert service_minutes([5 * 60, 6 * 60], estimated_minutes=25) == 25


def test_an_even_number_of_cases_takes_the_middle_two() -> None:
    # 10, 12, 13, 30 minutes: the median is 12.5, rounded up to 13
    assert service_minutes([600, 720, 780, 1800], estimated_minutes=25) == 13


@given(durations)
def test_the_estimate_is_the_rounded_up_median_of_the_cases(seconds: list[float]) -> None:
    expected = max(1, -(-statistics.median(seconds) // 60))
    assert service_minutes(seconds, estimated_minutes=25) == expected
