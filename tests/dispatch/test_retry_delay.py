"""The backoff formula: jittered, doubling, capped, and never sooner than the service's Retry-After."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.dispatch import retry_delay


def lowest(low: float, high: float) -> float:
    return low


def highest(low: float, high: float) -> float:
    return high


@pytest.mark.parametrize(("failures", "ceiling"), [(1, 4.0), (2, 8.0), (3, 16.0), (6, 100.0), (5000, 100.0)])
def test_the_jitter_range_doubles_per_failure_up_to_max_delay(failures: int, ceiling: float) -> None:
    assert retry_delay(failures, None, base_delay=2.0, max_delay=100.0, uniform=lowest) == 2.0
    assert retry_delay(failures, None, base_delay=2.0, max_delay=100.0, uniform=highest) == ceiling


def test_retry_after_wins_when_longer_even_beyond_max_delay() -> None:
    assert retry_delay(1, 30.0, base_delay=2.0, max_delay=10.0, uniform=highest) == 30.0
    assert retry_delay(1, 1.0, base_delay=2.0, max_delay=10.0, uniform=lowest) == 2.0


@given(
    failures=st.integers(1, 10_000),
    retry_after=st.none() | st.floats(0, 1e6),
    base_delay=st.floats(0.001, 100),
    max_delay=st.floats(0.001, 10_000),
)
def test_bounds(failures: int, retry_after: float | None, base_delay: float, max_delay: float) -> None:
    delay = retry_delay(failures, retry_after, base_delay=base_delay, max_delay=max_delay)
    assert delay >= base_delay
    assert delay >= (retry_after or 0.0)
    assert delay <= max(base_delay, max_delay, retry_after or 0.0)
