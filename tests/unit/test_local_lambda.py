"""The local Lambda context: the template's Timeout and MemorySize, a countdown, and Lambda's timeout report."""

import threading
from typing import Any

import pytest

from ringbridge_tools.local import lambdas, template

release = threading.Event()


def blocking_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    release.wait(30)
    return {"ok": True}


def remaining_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"remaining": context.get_remaining_time_in_millis(), "memory": context.memory_limit_in_mb}


def function(handler: str) -> template.Function:
    return template.Function(
        logical_id="TestFunction",
        handler=f"tests.unit.test_local_lambda.{handler}",
        code_uri=template.ROOT,
        environment={},
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_context_starts_from_the_functions_timeout_and_memory_in_the_template() -> None:
    sync = template.functions()["RingostatSyncFunction"]
    find = template.functions()["RingotelFindContactFunction"]

    sync_context = lambdas.context_for(sync)
    find_context = lambdas.context_for(find)

    assert (sync.timeout_seconds, sync.memory_mb) == (300, 512)  # template.yaml: Timeout 300, Globals' memory
    assert 299_000 < sync_context.get_remaining_time_in_millis() <= 300_000
    assert 9_000 < find_context.get_remaining_time_in_millis() <= 10_000
    assert find_context.memory_limit_in_mb == 512


def test_the_remaining_time_counts_down_and_stops_at_zero() -> None:
    clock = Clock()
    context = lambdas.LambdaContext("F", timeout_seconds=300, memory_limit_in_mb=512, clock=clock)

    clock.now += 7.5
    assert context.get_remaining_time_in_millis() == 292_500
    clock.now += 300
    assert context.get_remaining_time_in_millis() == 0


def test_the_handler_sees_its_own_context() -> None:
    answer = lambdas.invoke(function("remaining_handler"), {})

    assert answer["memory"] == 128  # neither the function nor Globals say: Lambda's default
    assert 2_000 < answer["remaining"] <= 3_000  # Lambda's default timeout, 3 s


def test_a_handler_past_its_timeout_is_reported_as_lambda_reports_it(capsys: pytest.CaptureFixture[str]) -> None:
    context = lambdas.LambdaContext("TestFunction", timeout_seconds=0.05, memory_limit_in_mb=128, aws_request_id="r-1")
    release.clear()
    try:
        with pytest.raises(lambdas.FunctionTimedOut) as timed_out:
            lambdas.invoke(function("blocking_handler"), {}, context)
    finally:
        release.set()

    assert timed_out.value.as_invoke_result() == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": "RequestId: r-1 Error: Task timed out after 0.05 seconds",
    }
    assert "RequestId: r-1 Error: Task timed out after 0.05 seconds" in capsys.readouterr().err


def failing_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise ValueError("the handler failed")


def test_a_handlers_exception_reaches_the_caller() -> None:
    with pytest.raises(ValueError, match="the handler failed"):
        lambdas.invoke(function("failing_handler"), {})
