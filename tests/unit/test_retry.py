"""The one retry policy (ringbridge.retry): a vendor's failures, writes that lost a race; and what vendor_http
counts as worth retrying and what its error texts may hold."""

import random
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from ringbridge import clock, retry
from ringbridge.budget import Budget, OutOfTime
from ringbridge.errors import Conflict
from ringbridge.retry import MAX_BACKOFF_SECONDS, MIN_REQUEST_SECONDS, WRITE_ATTEMPTS, GaveUp, RetryPolicy
from ringbridge.vendor_http import ERROR_TEXT_LIMIT, is_transient, redacted

POLICY = RetryPolicy(max_attempts=5, backoff_seconds=1.0)


@pytest.fixture(autouse=True)
def still_clock():
    with clock.manual(datetime(2026, 12, 1, 10, 0, tzinfo=UTC)):
        yield


@pytest.fixture
def ceilings(monkeypatch) -> list[tuple[float, float]]:
    """The bounds each backoff is drawn between; the draw answers its upper bound."""
    drawn: list[tuple[float, float]] = []

    def uniform(low: float, high: float) -> float:
        drawn.append((low, high))
        return high

    monkeypatch.setattr(retry.random, "uniform", uniform)
    return drawn


def test_the_backoff_doubles_from_its_first_ceiling_up_to_the_cap_with_full_jitter(ceilings):
    policy = RetryPolicy(max_attempts=10, backoff_seconds=1.0)
    waits = [policy.wait(attempt, None, Budget(3600)) for attempt in range(1, 8)]

    assert ceilings == [(0, 1.0), (0, 2.0), (0, 4.0), (0, 8.0), (0, 16.0), (0, MAX_BACKOFF_SECONDS), (0, 30.0)]
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_a_wait_is_drawn_anywhere_from_zero_to_its_ceiling():
    random.seed(23)
    waits = [POLICY.wait(3, None, Budget(3600)) for _ in range(200)]

    assert all(0 <= wait <= 4.0 for wait in waits)
    assert min(waits) < 1.0 and max(waits) > 3.0  # full jitter, not half (which never goes below 2)


def test_the_last_attempt_is_not_followed_by_a_wait():
    assert POLICY.wait(4, None, Budget(3600)) >= 0  # after the 4th of 5: one more

    with pytest.raises(GaveUp, match=r"^gave up after 5 attempts$"):
        POLICY.wait(5, None, Budget(3600))


def test_retry_after_is_waited_exactly_while_the_budget_leaves_time_for_the_next_request(ceilings):
    budget = Budget(10)
    assert POLICY.wait(1, 7.0, budget) == 7.0
    assert POLICY.wait(1, 10 - MIN_REQUEST_SECONDS, budget) == 9.5
    assert ceilings == []  # no backoff drawn when the vendor said when

    with pytest.raises(GaveUp, match=r"^asked to retry after 10 s$"):
        POLICY.wait(1, 9.51, budget)


def test_a_backoff_that_would_outlast_the_budget_ends_the_run(ceilings):
    assert POLICY.wait(3, None, Budget(4 + MIN_REQUEST_SECONDS)) == 4.0

    with pytest.raises(OutOfTime):
        POLICY.wait(3, None, Budget(4 + MIN_REQUEST_SECONDS - 0.01))


@pytest.mark.parametrize(
    ("status", "transient"),
    [
        *[(200, False), (400, False), (403, False), (407, False), (408, True), (409, False), (428, False)],
        *[(429, True), (430, False), (499, False), (500, True), (503, True), (599, True)],
    ],
)
def test_timeouts_rate_limits_and_server_errors_are_worth_retrying(status, transient):
    assert is_transient(status) is transient


def test_an_error_text_holds_a_secret_only_as_redacted_whether_quoted_as_it_is_or_escaped():
    # requests' refusal of a header quotes a value with a line break escaped: "s3cr3t\\nkey".
    key = "s3cr3t\nkey"
    text = f"Invalid leading whitespace, reserved character(s), or return character(s) in header value: {key!r}; {key}"

    assert redacted(text, ["", key]) == (
        "Invalid leading whitespace, reserved character(s), or return character(s) in header value: '[redacted]'; "
        "[redacted]"
    )


def test_an_error_text_is_cut_short_and_trimmed():
    assert redacted("  refused  ", []) == "refused"
    assert redacted("x" * (ERROR_TEXT_LIMIT - 1) + " tail", []) == "x" * (ERROR_TEXT_LIMIT - 1)


class LostRace(Exception):
    pass


def writer(losses: int) -> tuple[list[int], Callable[[int], None]]:
    """A write that loses its first ``losses`` races; answers the items it was given."""
    written: list[int] = []

    def write(item: int) -> None:
        written.append(item)
        if len(written) <= losses:
            raise LostRace

    return written, write


@pytest.mark.parametrize("losses", range(WRITE_ATTEMPTS))
def test_a_write_that_lost_a_race_is_written_again_as_it_is_now(losses):
    written, write = writer(losses)
    stored_now = iter(range(2, 10))  # each read finds a newer version of item 1

    assert retry.rewrite(1, write, lambda item: next(stored_now), lost_race=LostRace, conflict=Conflict("x"))
    assert written == list(range(1, losses + 2))  # each attempt writes what was read after the last


def test_a_write_that_loses_every_race_answers_the_conflict():
    written, write = writer(WRITE_ATTEMPTS)
    conflict = Conflict("kept changing")

    with pytest.raises(Conflict) as raised:
        retry.rewrite(1, write, lambda item: item + 1, lost_race=LostRace, conflict=conflict)
    assert raised.value is conflict
    assert len(written) == WRITE_ATTEMPTS == 3


def test_a_write_no_longer_needed_once_read_again_is_not_made():
    written, write = writer(1)

    assert not retry.rewrite(1, write, lambda item: None, lost_race=LostRace, conflict=Conflict("x"))
    assert written == [1]


def test_only_a_lost_race_is_tried_again():
    def write(item: int) -> None:
        raise ValueError("not a race")

    with pytest.raises(ValueError, match="not a race"):
        retry.rewrite(1, write, lambda item: item, lost_race=LostRace, conflict=Conflict("x"))


@pytest.mark.parametrize("losses", [0, WRITE_ATTEMPTS - 1, WRITE_ATTEMPTS])
def test_a_read_check_and_write_runs_again_after_each_lost_race_up_to_the_limit(losses):
    runs: list[int] = []

    def attempt() -> str:
        runs.append(len(runs) + 1)
        if len(runs) <= losses:
            raise LostRace
        return f"written on run {len(runs)}"

    conflict = Conflict("kept changing")
    if losses < WRITE_ATTEMPTS:
        assert retry.until_written(attempt, lost_race=LostRace, conflict=conflict) == f"written on run {losses + 1}"
    else:
        with pytest.raises(Conflict) as raised:
            retry.until_written(attempt, lost_race=LostRace, conflict=conflict)
        assert raised.value is conflict
    assert len(runs) == min(losses + 1, WRITE_ATTEMPTS)
