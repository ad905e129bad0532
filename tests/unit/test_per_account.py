"""The per-account runner the RingCloud import and the Ringostat sync share: its time limit, exact."""

import logging

from ringbridge import clock
from ringbridge.budget import Budget
from ringbridge.logic import per_account
from tests.support.ringcloud import FakeClock


def test_an_account_runs_with_exactly_its_minimum_time_left_and_the_run_stops_below_it(monkeypatch, caplog):
    time = FakeClock()  # whole seconds, exact: the time left is 10, 6, 2 (exactly the minimum), then -2
    monkeypatch.setattr(clock, "monotonic", time.monotonic)
    budget = Budget(10)
    ran: list[str] = []

    def run_one(account_id: str) -> None:
        ran.append(account_id)
        time.advance(4)

    stopped = per_account.run_each("The test run", ["a", "b", "c", "d"], budget, 2.0, run_one)

    assert stopped and ran == ["a", "b", "c"]
    [warning] = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert (warning.getMessage(), warning.account_id) == ("The test run stopped: the run's time budget ran out", "d")


def test_one_accounts_failure_is_logged_by_its_kind_only_and_the_next_account_runs(caplog):
    ran: list[str] = []

    def run_one(account_id: str) -> None:
        ran.append(account_id)
        if account_id == "a":
            raise ValueError("https://vendor.example/signed?key=secret")  # its text may carry a credential

    stopped = per_account.run_each("The test run", ["a", "b"], Budget(10), 2.0, run_one)

    assert not stopped and ran == ["a", "b"]
    [error] = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert (error.getMessage(), error.account_id, error.error) == (
        "The test run of an account failed",
        "a",
        "an unexpected ValueError",
    )
