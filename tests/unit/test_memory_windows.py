"""Each process's own budget counts (`todo_api.rate_limits.windows`): fixed windows counted
as `limits`' FixedWindowRateLimiter counts them, on a clock the test moves."""

from __future__ import annotations

from limits import parse

from todo_api.rate_limits.windows import MemoryWindows

THREE_A_MINUTE = parse("3/minute")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_window_takes_its_rate_then_refuses_counting_the_refused_too() -> None:
    windows = MemoryWindows(Clock())
    hits = [windows.hit(THREE_A_MINUTE, "reads", "user:alice") for _ in range(5)]
    assert hits == [True, True, True, False, False]
    assert windows.count("reads", "user:alice") == 5


def test_a_window_opens_at_its_first_request_and_ends_a_period_later() -> None:
    clock = Clock()
    windows = MemoryWindows(clock)
    for _ in range(3):
        windows.hit(THREE_A_MINUTE, "reads", "user:alice")
    clock.now += 20
    assert windows.seconds_left("reads", "user:alice") == 40
    assert not windows.hit(THREE_A_MINUTE, "reads", "user:alice")
    clock.now += 40
    assert windows.count("reads", "user:alice") == 0
    assert windows.hit(THREE_A_MINUTE, "reads", "user:alice")
    assert windows.seconds_left("reads", "user:alice") == 60


def test_budgets_are_counted_apart() -> None:
    windows = MemoryWindows(Clock())
    for _ in range(3):
        windows.hit(THREE_A_MINUTE, "reads", "user:alice")
    assert windows.hit(THREE_A_MINUTE, "reads", "user:bob")
    assert windows.hit(THREE_A_MINUTE, "writes", "user:alice")
    assert windows.count("writes", "user:alice") == 1


def test_a_cost_is_counted_whole() -> None:
    windows = MemoryWindows(Clock())
    assert windows.hit(THREE_A_MINUTE, "reads", "user:alice", cost=3)
    assert not windows.hit(THREE_A_MINUTE, "reads", "user:alice")


def test_ended_windows_are_forgotten_once_a_period() -> None:
    clock = Clock()
    windows = MemoryWindows(clock)
    for n in range(1000):
        windows.hit(THREE_A_MINUTE, "reads", f"address:{n}")
    assert len(windows) == 1000
    clock.now += 61
    windows.hit(THREE_A_MINUTE, "reads", "address:new")
    assert len(windows) == 1
    assert windows.seconds_left("reads", "address:0") == 0
